package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A node in a process of its own ({@link NodeProcessMain}), so that a test can really kill it
 * (SIGKILL: no shutdown hook, no drain) and start another on the same data dir.
 */
record NodeProcess(Process process, URI url, String token) {
    /** Starts a node on {@code dataDir}, its stderr to {@code log}; returns once it printed READY. */
    static NodeProcess start(Path dataDir, Path log) throws IOException {
        return start(dataDir, log, Map.of());
    }

    /**
     * Starts a node with these further system properties, e.g. {@link NodeProcessMain#DB} and
     * {@link NodeProcessMain#CLUSTER_BUS}.
     */
    static NodeProcess start(Path dataDir, Path log, Map<String, String> properties) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dcumulus.runtime.jar=" + System.getProperty("cumulus.runtime.jar")));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                NodeProcessMain.class.getName(), dataDir.toString(), TestNode.SHARED_AOT_DIR.toString()));
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // the node's own output before it is ready
        }
        if (line == null) {
            process.destroyForcibly();
            throw new IllegalStateException("the node process ended before it was ready; see " + Files.readString(log));
        }
        return new NodeProcess(process, URI.create(line.substring("READY ".length())),
                Files.readString(dataDir.resolve("root-token")).strip());
    }

    /**
     * Uploads the test functions' code and deploys {@code name} with {@code handler} and the
     * further {@code settings}, as root; both must succeed.
     */
    void deployTestFunction(HttpClient http, String name, String handler, Map<String, Object> settings)
            throws IOException {
        HttpResponse<String> upload = send(http, HttpRequest.newBuilder(url.resolve("/v1/code"))
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(TestNode.TEST_FUNCTIONS))));
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        Map<String, Object> body = new HashMap<>(settings);
        body.put("handler", handler);
        body.put("codeSha256", TestNode.json(upload).get("sha256").asText());
        HttpResponse<String> deploy = send(http, HttpRequest.newBuilder(url.resolve("/v1/functions/" + name))
                .PUT(HttpRequest.BodyPublishers.ofString(TestNode.write(body))));
        assertThat(deploy.statusCode()).as(deploy.body()).isEqualTo(201);
    }

    /** Sends as root, with a minute to answer. */
    HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) {
        try {
            return http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
