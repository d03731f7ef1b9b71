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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus db collections|get|put|query|rules|indexes} against a real node. */
class DbCommandTest {
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

    private int run(Path cwd, String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken());
        return new Cli(new PrintStream(out, true), new PrintStream(err, true), env).withCwd(cwd).run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void setsRulesAndIndexesWritesReadsAndQueries(@TempDir Path dir) throws Exception {
        // the rules file 'cumulus rules test' runs is the one 'db rules --set' takes
        Files.writeString(dir.resolve("carts.yaml"), """
                rules:
                  read: request.auth != null && resource.data.owner == request.auth.uid
                  create: request.auth != null && request.data.owner == request.auth.uid
                cases:
                  - name: owner reads
                    op: read
                    auth: {uid: ada}
                    resource: {id: c1, data: {owner: ada}}
                    expect: allow
                """);
        assertThat(run(dir, "rules", "test", "carts.yaml")).as(stderr()).isZero();
        assertThat(run(dir, "db", "rules", "carts", "--set", "carts.yaml")).as(stderr()).isZero();
        assertThat(stdout()).contains("rules of carts set: read, create");
        assertThat(run(dir, "db", "indexes", "carts", "--set", "owner,total")).as(stderr()).isZero();
        assertThat(run(dir, "db", "rules", "carts")).isZero();
        assertThat(stdout()).contains("\"read\"").contains("resource.data.owner"); // indexes kept the rules
        assertThat(run(dir, "db", "indexes", "carts")).isZero();
        assertThat(stdout().lines().toList()).containsExactly("owner", "total");

        assertThat(run(dir, "db", "put", "carts", "c1", "--data", "{\"owner\":\"ada\",\"total\":12}")).as(stderr()).isZero();
        assertThat(ApiClient.JSON.readTree(stdout()).get("version").asLong()).isEqualTo(1);
        Files.writeString(dir.resolve("doc.json"), "{\"owner\":\"bob\",\"total\":3}");
        assertThat(run(dir, "db", "put", "carts", "--data", "@doc.json")).as(stderr()).isZero();
        String bobs = ApiClient.JSON.readTree(stdout()).get("id").asText();
        assertThat(run(dir, "db", "get", "carts", bobs)).isZero();
        assertThat(ApiClient.JSON.readTree(stdout()).at("/data/owner").asText()).isEqualTo("bob");

        assertThat(run(dir, "db", "query", "carts", "--order-by", "-total")).as(stderr()).isZero();
        assertThat(stdout().lines().map(line -> {
            try {
                return ApiClient.JSON.readTree(line).at("/data/total").asInt();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList()).containsExactly(12, 3);
        assertThat(run(dir, "db", "query", "carts", "--where", "{\"field\":\"total\",\"op\":\">\",\"value\":5}",
                "--count")).isZero();
        assertThat(stdout().strip()).isEqualTo("1");
        assertThat(run(dir, "db", "query", "carts", "--limit", "1", "--order-by", "total")).isZero();
        assertThat(stderr()).contains("next page: --cursor ");
        String cursor = stderr().strip().substring("next page: --cursor ".length());
        assertThat(run(dir, "db", "query", "carts", "--limit", "1", "--order-by", "total", "--cursor", cursor)).isZero();
        assertThat(stdout()).contains("\"c1\"");

        assertThat(run(dir, "db", "collections")).isZero();
        assertThat(stdout()).contains("carts").contains(" 2 ");
        // precise errors come through
        assertThat(run(dir, "db", "query", "carts", "--where", "{\"field\":\"total\",\"op\":\"~\",\"value\":5}")).isNotZero();
        assertThat(stderr()).contains("InvalidOperator");
        assertThat(run(dir, "db", "get", "carts", "nope")).isNotZero();
        assertThat(stderr()).contains("DocumentNotFound");
        assertThat(run(dir, "db", "put", "carts", "x", "--data", "[1]")).isEqualTo(CliException.USAGE);
    }
}
