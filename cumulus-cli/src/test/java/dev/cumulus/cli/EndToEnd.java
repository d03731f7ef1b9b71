package dev.cumulus.cli;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** What the end-to-end tests share: a real node, and the CLI run in-process against it. */
final class EndToEnd {
    private EndToEnd() {}

    /** A node on a free port with its data in {@code dataDir}, its AOT cache kept across test classes. */
    static Platform startNode(Path dataDir) throws IOException {
        return Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
    }

    /** Runs one command in {@code cwd} against {@code node}; {@code out} and {@code err} hold only its output. */
    static int run(Platform node, Path cwd, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()))
                .withCwd(cwd).run(args);
    }
}
