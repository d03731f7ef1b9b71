package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cumulus token rotate}, and a client command against a node that serves HTTPS with the
 * certificate it made for itself: the CLI pins what the node published in its data dir.
 */
class TokenAndTlsCommandTest {
    @TempDir
    Path dataDir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Platform start(PlatformConfig config) throws IOException {
        return Platform.start(config.withPort(0).withDataDir(dataDir).withStemCells(0)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
    }

    private int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true), env).run(args);
    }

    @Test
    void rotateWithTheDataDirsTokenRewritesItAndShowsNoToken() throws IOException {
        try (Platform node = start(PlatformConfig.defaults())) {
            String old = node.rootToken();
            Map<String, String> env = Map.of("CUMULUS_DATA", dataDir.toString());

            assertThat(run(env, "token", "rotate")).as(err.toString()).isZero();

            String fresh = Files.readString(dataDir.resolve("root-token")).strip();
            assertThat(fresh).isNotEqualTo(old);
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("the old one no longer works")
                    .contains(dataDir.resolve("root-token").toString()).doesNotContain(fresh);
            assertThat(run(env, "ls")).as("the data dir's new token works").isZero();
            assertThat(run(Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", old), "ls")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("401");
        }
    }

    @Test
    void rotateWithATokenFromTheEnvironmentPrintsTheNewOneOnce() throws IOException {
        try (Platform node = start(PlatformConfig.defaults())) {
            Map<String, String> env = Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken());

            assertThat(run(env, "token", "rotate")).as(err.toString()).isZero();

            assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(node.rootToken());
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("update CUMULUS_TOKEN");
        }
    }

    @Test
    void theCliPinsTheCertificateItsNodePublished() throws IOException {
        try (Platform node = start(PlatformConfig.defaults().withHost("0.0.0.0"))) {
            assertThat(node.url().getScheme()).isEqualTo("https");

            assertThat(run(Map.of("CUMULUS_DATA", dataDir.toString()), "ls")).as(err.toString()).isZero();

            // the same node without the pin: the JDK's CAs do not know a self-signed certificate
            assertThat(run(Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()), "ls"))
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: cannot trust the TLS certificate of")
                    .contains("tls-cert.pem");
        }
    }
}
