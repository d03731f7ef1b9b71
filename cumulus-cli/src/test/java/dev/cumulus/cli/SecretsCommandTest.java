package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus secrets set|ls|rm} against a real node. */
class SecretsCommandTest {
    @TempDir
    static Path dataDir;

    static Platform node;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        node = Platform.start(PlatformConfig.defaults().withPort(0).withDataDir(dataDir).withStemCells(0)
                .withAotDir(Path.of("target", "test-aot").toAbsolutePath()));
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("bootstrap"));
            z.write("#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
        }
        CodeRef code = node.registry().storeCode(new ByteArrayInputStream(zip.toByteArray()), 1 << 20);
        node.registry().put(new FunctionConfig("app", FunctionConfig.RUNTIME_PROVIDED, "h", 256, 30, Map.of(), 10, 1,
                null, false), code.sha256());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private int run(String stdin, String... args) {
        out.reset();
        err.reset();
        return new Cli(new PrintStream(out, true), new PrintStream(err, true),
                Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken()))
                .withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).run(args);
    }

    @Test
    void setsListsAndRemovesWithoutEverPrintingAValue(@TempDir Path dir) throws IOException {
        assertThat(run("hunter2\n", "secrets", "set", "app", "DB_PASSWORD")).isZero();
        Path file = Files.writeString(dir.resolve("key"), "line one\nline two\n");
        assertThat(run("", "secrets", "set", "app", "TLS_KEY", "--from-file", file.toString())).isZero();

        assertThat(run("", "secrets", "ls", "app")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("DB_PASSWORD").contains("TLS_KEY")
                .doesNotContain("hunter2").doesNotContain("line one");

        assertThat(run("", "secrets", "rm", "app", "DB_PASSWORD")).isZero();
        assertThat(run("", "secrets", "ls", "app")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("DB_PASSWORD").contains("TLS_KEY");
    }

    @Test
    void refusesAnEmptyValueAndReportsTheNodesRefusals() {
        assertThat(run("", "secrets", "set", "app", "EMPTY")).isEqualTo(CliException.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no value");

        assertThat(run("x", "secrets", "set", "app", "AWS_REGION")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ReservedName");
        assertThat(run("x", "secrets", "set", "missing", "OK")).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not exist");
    }
}
