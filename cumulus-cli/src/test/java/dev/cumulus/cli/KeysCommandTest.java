package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus keys create|ls|rm} against a real node. */
class KeysCommandTest {
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

    private int run(String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken())).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createPrintsItsNoteAfterTheSecretWhenStdoutAndStderrShareATerminal() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        // like a terminal: one sink, stdout buffered until flushed, stderr written at once
        PrintStream stdout = new PrintStream(new BufferedOutputStream(terminal, 8192), false, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(terminal, true, StandardCharsets.UTF_8);
        int code = new Cli(stdout, stderr, Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()))
                .run("keys", "create");
        stdout.flush();
        assertThat(code).isZero();
        assertThat(terminal.toString(StandardCharsets.UTF_8)).matches("AWS_ACCESS_KEY_ID=AKCM[A-Z2-7]{16}\n"
                + "AWS_SECRET_ACCESS_KEY=\\S{40}\n"
                + "the secret is shown only now: store it \\(the node cannot show it again\\)\n");
    }

    @Test
    void createsListsAndRemovesKeys() {
        assertThat(run("keys", "create", "--description", "laptop")).isZero();
        Matcher created = Pattern.compile("AWS_ACCESS_KEY_ID=(AKCM[A-Z2-7]{16})\nAWS_SECRET_ACCESS_KEY=(\\S{40})\n")
                .matcher(out());
        assertThat(created.matches()).as(out()).isTrue();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("shown only now");
        String id = created.group(1);

        assertThat(run("keys", "ls")).isZero();
        assertThat(out()).containsPattern("ACCESS KEY ID\\s+CREATED\\s+DESCRIPTION\n" + id + "\\s+\\S+\\s+laptop\n")
                .doesNotContain(created.group(2));

        assertThat(run("keys", "rm", id)).isZero();
        assertThat(out()).isEqualTo("removed access key " + id + "\n");
        assertThat(run("keys", "rm", id)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not exist").contains("404");
        assertThat(run("keys", "ls")).isZero();
        assertThat(out()).isEmpty();
        assertThat(run("keys", "rm", "not a key")).isEqualTo(2);
        assertThat(run("--help")).isZero();
        assertThat(out()).contains("keys");
    }
}
