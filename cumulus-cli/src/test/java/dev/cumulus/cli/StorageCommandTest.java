package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus storage mb|ls|cp|rm|rb|presign} against a real node. */
class StorageCommandTest {
    @TempDir
    static Path dataDir;

    static Platform node;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        node = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir).withStemCells(0)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private int run(boolean terminal, Map<String, String> extraEnv, String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>(Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN",
                node.rootToken()));
        env.putAll(extraEnv);
        return new Cli(new PrintStream(out, true), new PrintStream(err, true), env).withErrTerminal(terminal).run(args);
    }

    private int run(String... args) {
        return run(false, Map.of(), args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void makesCopiesListsPresignsAndRemoves(@TempDir Path dir) throws Exception {
        assertThat(run("storage", "mb", "s3://cli-files")).isZero();
        assertThat(stdout()).contains("make_bucket: cli-files");
        byte[] bytes = new byte[3 * 1024 * 1024 + 5];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("data.bin"), bytes);
        assertThat(run(true, Map.of(), "storage", "cp", file.toString(), "s3://cli-files/in/data.bin")).as(err.toString())
                .isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).as("a progress bar on a terminal").contains("\ruploading data.bin")
                .contains("100%");
        Path notes = Files.writeString(dir.resolve("notes.txt"), "some notes\n");
        assertThat(run("storage", "cp", notes.toString(), "s3://cli-files/")).isZero();

        assertThat(run("storage", "ls")).isZero();
        assertThat(stdout()).contains("cli-files");
        assertThat(run("storage", "ls", "s3://cli-files/")).isZero();
        assertThat(stdout()).contains("PRE in/").contains("notes.txt").doesNotContain("data.bin");
        assertThat(run("storage", "ls", "--recursive", "s3://cli-files/")).isZero();
        assertThat(stdout()).contains("in/data.bin").contains(Integer.toString(bytes.length));

        Path back = dir.resolve("back.bin");
        assertThat(run("storage", "cp", "s3://cli-files/in/data.bin", back.toString())).isZero();
        assertThat(Files.readAllBytes(back)).isEqualTo(bytes);
        assertThat(run("storage", "cp", "s3://cli-files/notes.txt", "-")).isZero();
        assertThat(stdout()).isEqualTo("some notes\n");

        JsonNode key = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        node.url().resolve("/v1/keys")).header("Authorization", "Bearer " + node.rootToken())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).body());
        Map<String, String> keyEnv = Map.of("AWS_ACCESS_KEY_ID", key.get("accessKeyId").asText(),
                "AWS_SECRET_ACCESS_KEY", key.get("secretAccessKey").asText());
        assertThat(run(false, keyEnv, "storage", "presign", "s3://cli-files/notes.txt", "--expires-in", "60")).isZero();
        String url = stdout().strip();
        HttpResponse<String> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo("some notes\n");
        assertThat(run(false, keyEnv, "storage", "presign", "--put", "s3://cli-files/up.txt")).isZero();
        HttpResponse<String> uploaded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stdout().strip()))
                .PUT(HttpRequest.BodyPublishers.ofString("uploaded")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        assertThat(run("storage", "presign", "s3://cli-files/notes.txt")).isEqualTo(CliException.USAGE);

        assertThat(run("storage", "rb", "s3://cli-files")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("BucketNotEmpty");
        for (String k : new String[] {"in/data.bin", "notes.txt", "up.txt"}) {
            assertThat(run("storage", "rm", "s3://cli-files/" + k)).isZero();
        }
        assertThat(run("storage", "ls", "--recursive", "s3://cli-files")).isZero();
        assertThat(stdout()).isEmpty();
        assertThat(run("storage", "rb", "s3://cli-files")).isZero();
        assertThat(run("storage", "cp", "s3://cli-files/gone.txt", "-")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("NoSuchBucket");
    }
}
