package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.platform.Platform;
import dev.cumulus.platform.PlatformConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus projects|api-keys|roles|users|policy|audit} against a real node. */
class IamCommandsTest {
    static final String INVOKE_ORDERS = """
            {"Version":"2026-12-01","Statement":[{"Sid":"InvokeOrders","Effect":"Allow","Action":"functions:Invoke",
             "Resource":"crn:cumulus:functions:%s:orders-*"}]}""";

    @TempDir
    static Path dataDir;

    @TempDir
    Path work;

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

    private int run(Map<String, String> extraEnv, String stdin, String... args) {
        out.reset();
        err.reset();
        Map<String, String> env = new HashMap<>(Map.of("CUMULUS_URL", node.url().toString(), "CUMULUS_TOKEN", node.rootToken(),
                "CUMULUS_CONFIG", work.resolve("config.json").toString()));
        env.putAll(extraEnv);
        return new Cli(new PrintStream(out, true), new PrintStream(err, true), env).withCwd(work)
                .withStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).run(args);
    }

    private int run(String... args) {
        return run(Map.of(), "", args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void projectsAreCreatedUsedAndRemoved() throws IOException {
        assertThat(run("projects", "create", "cli-shop", "--description", "the shop")).as(err()).isZero();
        assertThat(run("projects", "use", "cli-shop")).as(err()).isZero();
        assertThat(Files.readString(work.resolve("config.json"))).contains("\"project\" : \"cli-shop\"");
        assertThat(run("projects", "ls")).isZero();
        assertThat(out()).containsPattern("\\*\\s+cli-shop\\s+\\S+\\s+the shop").contains("default");

        // the current project is where roles go
        Files.writeString(work.resolve("orders.json"), INVOKE_ORDERS.formatted("cli-shop"));
        assertThat(run("roles", "create", "orders", "--policy", "orders.json")).as(err()).isZero();
        assertThat(out()).contains("created role orders in project cli-shop");

        assertThat(run("projects", "rm", "cli-shop")).isEqualTo(1);
        assertThat(err()).contains("ProjectNotEmpty").contains("roles");
        assertThat(run("roles", "rm", "orders")).isZero();
        assertThat(run("projects", "rm", "cli-shop")).as(err()).isZero();
        assertThat(err()).contains("none is current now");
        assertThat(run("projects", "use", "nope")).isEqualTo(1);
        assertThat(run("projects", "use")).isEqualTo(2);
    }

    @Test
    void apiKeysRolesSimulateAndAudit() throws IOException {
        assertThat(run("projects", "create", "cli-orders")).as(err()).isZero();
        assertThat(run("api-keys", "create", "--project", "cli-orders")).isEqualTo(2);
        assertThat(run("api-keys", "create", "--project", "cli-orders", "--admin", "--expires", "1d")).as(err()).isZero();
        Matcher token = Pattern.compile("CUMULUS_TOKEN=(ck_\\S+)\n").matcher(out());
        assertThat(token.matches()).as(out()).isTrue();
        Map<String, String> asKey = Map.of("CUMULUS_TOKEN", token.group(1));

        Files.writeString(work.resolve("orders.json"), INVOKE_ORDERS.formatted("cli-orders"));
        assertThat(run(asKey, "", "roles", "create", "orders", "--policy", "orders.json")).as(err()).isZero();
        assertThat(run(asKey, "", "roles", "ls")).isZero();
        assertThat(out()).contains("orders").contains("Allow functions:Invoke on crn:cumulus:functions:cli-orders:orders-*");

        assertThat(run(asKey, "", "policy", "simulate", "--principal", "role:orders@cli-orders", "--action",
                "functions:Invoke", "--resource", "crn:cumulus:functions:cli-orders:orders-create")).as(err()).isZero();
        assertThat(out()).isEqualTo("allow (allowed by policy[0]/InvokeOrders)\n");
        assertThat(run(asKey, "", "policy", "simulate", "--principal", "role:orders@cli-orders", "--action",
                "functions:Invoke", "--resource", "crn:cumulus:functions:cli-orders:billing-run")).isZero();
        assertThat(out()).startsWith("deny");

        // the key may not act in another project: refused, and the refusal is in the audit log
        assertThat(run(asKey, "", "roles", "ls", "--project", "default")).isEqualTo(1);
        assertThat(err()).contains("AccessDenied");
        assertThat(run("audit", "--outcome", "deny", "--project", "default")).as(err()).isZero();
        assertThat(out()).contains("iam:UseProject").contains("@cli-orders");

        assertThat(run(asKey, "", "api-keys", "ls")).isZero();
        assertThat(out()).contains("KEY ID").contains("cli-orders").doesNotContain(token.group(1));
        String keyId = out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(run(asKey, "", "api-keys", "rm", keyId)).as(err()).isZero();
        assertThat(run(asKey, "", "roles", "ls")).isEqualTo(1);
        assertThat(err()).contains("401");
    }

    @Test
    void adminsLogInWithAPasswordFromStdin() {
        assertThat(run("projects", "create", "cli-users")).as(err()).isZero();
        assertThat(run(Map.of("CUMULUS_PROJECT", "cli-users"), "correct horse battery\n", "admins", "create", "alice",
                "--admin")).as(err()).isZero();
        assertThat(run(Map.of("CUMULUS_PROJECT", "cli-users"), "wrong password here\n", "admins", "login", "alice"))
                .isEqualTo(1);
        assertThat(run(Map.of("CUMULUS_PROJECT", "cli-users"), "correct horse battery\n", "admins", "login", "alice"))
                .as(err()).isZero();
        Matcher session = Pattern.compile("CUMULUS_TOKEN=(cs_\\S+)\n").matcher(out());
        assertThat(session.matches()).as(out()).isTrue();
        assertThat(run(Map.of("CUMULUS_TOKEN", session.group(1)), "", "admins", "ls")).as(err()).isZero();
        assertThat(out()).contains("alice").contains("cli-users");
    }

    @Test
    void accessKeysTakeAProjectAndPolicies() throws IOException {
        assertThat(run("projects", "create", "cli-sdk")).as(err()).isZero();
        Files.writeString(work.resolve("sdk.json"), INVOKE_ORDERS.formatted("cli-sdk"));
        assertThat(run("keys", "create", "--project", "cli-sdk", "--policy", "sdk.json")).as(err()).isZero();
        assertThat(out()).containsPattern("AWS_ACCESS_KEY_ID=AKCM[A-Z2-7]{16}\n");
        assertThat(run("keys", "ls", "--project", "cli-sdk")).isZero();
        assertThat(out().lines().count()).isEqualTo(2);
    }
}
