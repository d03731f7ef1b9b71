package dev.cumulus.cli;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** What the end-to-end test classes share: a real node per class, and the CLI run in-process against it. */
abstract class EndToEnd {
    @TempDir
    static Path dataDir;

    static Platform node;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startNode() throws IOException {
        node = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    /** Runs one command in {@code cwd}; {@link #out()} and {@link #err()} then hold only its output. */
    int run(Path cwd, String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()))
                .withCwd(cwd).run(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
