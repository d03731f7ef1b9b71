package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus users} (end users) and {@code cumulus mail} against a real node and a real SMTP server. */
class EndUserCommandsTest {
    @TempDir
    static Path dataDir;

    @TempDir
    Path work;

    static GreenMail smtp;
    static Platform node;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        node = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir).withStemCells(0)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()).withSmtp("smtp://127.0.0.1:" + port));
    }

    @AfterAll
    static void stop() {
        node.close();
        smtp.stop();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken(),
                "CUMULUS_CONFIG", work.resolve("config.json").toString());
        return new Cli(new PrintStream(out, true), new PrintStream(err, true), env).withCwd(work)
                .withStdin(new ByteArrayInputStream(new byte[0])).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    static JsonNode signUp(String email) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}";
        HttpResponse<String> signedUp = http.send(HttpRequest.newBuilder(node.url().resolve("/v1/projects/default/auth/signup"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedUp.statusCode()).as(signedUp.body()).isEqualTo(202);
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(node.url().resolve("/v1/projects/default/auth/login"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new ObjectMapper().readTree(login.body());
    }

    @Test
    void usersAreListedGivenClaimsDisabledAndRemoved() throws Exception {
        String id = signUp("cli-user@example.com").path("userId").asText();
        assertThat(run("users", "ls")).as(err()).isZero();
        assertThat(out()).contains("EMAIL").contains("cli-user@example.com").contains(id);
        assertThat(run("users", "claims", id, "{\"role\":\"editor\"}")).as(err()).isZero();
        assertThat(out()).contains("\"role\":\"editor\"");
        assertThat(run("users", "claims", id, "{\"sub\":\"x\"}")).isEqualTo(1);
        assertThat(err()).contains("reserved");
        assertThat(run("users", "claims", id, "not json")).isEqualTo(CliException.USAGE);
        assertThat(run("users", "disable", id)).as(err()).isZero();
        assertThat(run("users", "ls")).isZero();
        assertThat(out().lines().filter(l -> l.contains(id)).findFirst().orElseThrow()).contains("true");
        assertThat(run("users", "enable", id)).as(err()).isZero();
        assertThat(run("users", "rm", id)).as(err()).isZero();
        assertThat(run("users", "rm", id)).isEqualTo(1);
        assertThat(err()).contains("404");
    }

    @Test
    void aTestMailIsQueuedAndDelivered() {
        assertThat(run("mail", "test", "ops@example.com")).as(err()).isZero();
        assertThat(out()).startsWith("queued test mail mail-");
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            run("mail", "outbox");
            return out().contains("ops@example.com") && out().contains("sent");
        });
        assertThat(run("mail", "test", "not-an-address")).isEqualTo(1);
        assertThat(err()).contains("400");
    }
}
