package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage examples' and the shop's own {@code deploy.sh} scripts, run as a user runs them
 * against a real node (the CLI as a process of its own, the AWS CLI for the bucket's notification
 * configuration, curl for the role-carrying deploy), then driven with the CLI: an upload yields
 * its thumbnail, a CSV its clean and rejected rows; the shop sells its last fig to a guest through
 * its route and serves its page. Only the Maven build inside the scripts is skipped
 * ({@code EXAMPLE_JAR}: the code package this build made). Local paths are absolute: {@code storage
 * cp} resolves relative ones against the process's directory.
 */
class ExampleDeployScriptsTest extends EndToEnd {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Duration PROCESSING = Duration.ofSeconds(120);
    static Path cli;

    @TempDir
    Path cwd;

    /** {@code CUMULUS} for the scripts: this build's CLI, started as a process like bin/cumulus. */
    @BeforeAll
    static void cliLauncher(@TempDir Path bin) throws IOException {
        cli = bin.resolve("cumulus");
        Files.writeString(cli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' dev.cumulus.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
    }

    static void deploy(String example, String jarProperty) throws Exception {
        Path log = Files.createTempFile("deploy-" + example, ".log");
        ProcessBuilder script = new ProcessBuilder("bash", ROOT.resolve("examples/" + example + "/deploy.sh").toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        script.environment().put("CUMULUS_DATA", dataDir.toString());
        script.environment().put("CUMULUS", cli.toString());
        script.environment().put("EXAMPLE_JAR", Path.of(System.getProperty(jarProperty)).toAbsolutePath().toString());
        script.environment().remove("AWS_ACCESS_KEY_ID");
        script.environment().remove("AWS_SECRET_ACCESS_KEY");
        Process process = script.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("deploy.sh finished").isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("deployed. Try it:");
    }

    @Test
    void thumbnailsDeployShWiresUploadsToThumbnails() throws Exception {
        deploy("thumbnail", "cumulus.example.thumbnail.jar");
        BufferedImage photo = new BufferedImage(1200, 800, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(photo, "jpg", cwd.resolve("photo.jpg").toFile());
        assertThat(run(cwd, "storage", "cp", cwd.resolve("photo.jpg").toString(), "s3://media/uploads/photo.jpg"))
                .as(err()).isZero();
        await().atMost(PROCESSING).until(() -> run(cwd, "storage", "cp", "s3://media/thumbnails/photo.jpg",
                cwd.resolve("thumb.jpg").toString()) == 0);
        BufferedImage thumb = ImageIO.read(cwd.resolve("thumb.jpg").toFile());
        assertThat(List.of(thumb.getWidth(), thumb.getHeight())).containsExactly(300, 200);
    }

    @Test
    void csvEtlsDeployShSplitsIncomingCsvIntoCleanAndRejected() throws Exception {
        deploy("csv-etl", "cumulus.example.csvetl.jar");
        Files.writeString(cwd.resolve("orders.csv"), """
                id,name,email,amount
                1,Ada Lovelace,ada@example.com,12.50
                2,,nobody@example.com,5
                3,Short
                """);
        assertThat(run(cwd, "storage", "cp", cwd.resolve("orders.csv").toString(), "s3://data/incoming/orders.csv"))
                .as(err()).isZero();
        await().atMost(PROCESSING).until(() -> run(cwd, "storage", "cp", "s3://data/rejected/orders.jsonl",
                cwd.resolve("rejected.jsonl").toString()) == 0);
        assertThat(run(cwd, "storage", "cp", "s3://data/clean/orders.jsonl",
                cwd.resolve("clean.jsonl").toString())).as(err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<String> clean = Files.readAllLines(cwd.resolve("clean.jsonl"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        assertThat(clean).hasSize(1);
        assertThat(json.readTree(clean.getFirst()).get("name").asText()).isEqualTo("Ada Lovelace");
        assertThat(Files.readAllLines(cwd.resolve("rejected.jsonl"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).map(l -> {
                    try {
                        return json.readTree(l).get("line").asLong();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList()).containsExactly(3L, 4L);
    }

    @Test
    void shopApisDeployShWiresCollectionsCheckoutAndThePage() throws Exception {
        deploy("shop-api", "cumulus.example.shop.jar");
        assertThat(run(cwd, "db", "get", "products", "fig")).as(err()).isZero();
        assertThat(out()).contains("\"stock\"");
        assertThat(run(cwd, "routes", "ls")).as(err()).isZero();
        assertThat(out()).contains("/api/checkout").contains("checkout").contains("user");
        // a guest buys the last fig through the route, as the page does
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        String base = node.url().toString().replaceAll("/$", "");
        JsonNode session = json.readTree(http.send(HttpRequest.newBuilder(
                URI.create(base + "/v1/projects/default/auth/anonymous"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String uid = session.get("userId").asText();
        String token = session.get("accessToken").asText();
        HttpResponse<String> cart = http.send(HttpRequest.newBuilder(
                URI.create(base + "/v1/projects/default/db/collections/carts/documents/" + uid))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"owner\":\"" + uid
                        + "\",\"items\":[{\"product\":\"fig\",\"quantity\":1}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cart.statusCode()).as(cart.body()).isEqualTo(201);
        HttpResponse<String> checkout = http.send(HttpRequest.newBuilder(
                URI.create(base + "/api/checkout")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(checkout.statusCode()).as(checkout.body()).isEqualTo(201);
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                URI.create(base + "/fn/shop-page/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/sdk/cumulus.js");
    }
}
