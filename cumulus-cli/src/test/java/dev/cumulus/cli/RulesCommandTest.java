package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cumulus rules test}: a rules file's cases run through the node's evaluator, offline. */
class RulesCommandTest {
    static final String RULES = """
            rules:
              read: "request.auth != null && resource.data.owner == request.auth.uid"
              create: "request.auth != null && request.data.owner == request.auth.uid && request.time < timestamp('2027-01-01T00:00:00Z')"
            cases:
              - name: the owner reads her cart
                op: read
                auth: {uid: alice}
                resource: {id: c1, data: {owner: alice}}
                expect: allow
              - name: someone else does not
                op: read
                auth: {uid: bob}
                resource: {id: c1, data: {owner: alice}}
                expect: deny
              - name: nobody signed in does not
                op: read
                auth: null
                resource: {id: c1, data: {owner: alice}}
                expect: deny
              - name: a user creates her own cart
                op: create
                auth: {uid: alice, claims: {plan: pro}}
                data: {owner: alice}
                time: "2026-06-01T00:00:00Z"
                expect: allow
              - name: there is no delete rule
                op: delete
                auth: {uid: alice}
                resource: {id: c1, data: {owner: alice}}
                expect: deny
            """;

    @TempDir
    Path dir;

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        Cli cli = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of()).withCwd(dir);
        return cli.run(args);
    }

    @Test
    void passingCasesExitZero() throws Exception {
        Files.writeString(dir.resolve("carts.rules.yaml"), RULES);
        assertThat(run("rules", "test", "carts.rules.yaml")).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("PASS the owner reads her cart")
                .contains("PASS there is no delete rule").contains("5 of 5 cases as expected");
    }

    @Test
    void aFailingCaseIsNamedAndExitsOne() throws Exception {
        Files.writeString(dir.resolve("carts.yaml"),
                RULES.replace("    expect: deny\n  - name: nobody", "    expect: allow\n  - name: nobody"));
        assertThat(run("rules", "test", "carts.yaml")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAIL someone else does not: read expected allow, got deny")
                .contains("4 of 5 cases as expected");
    }

    @Test
    void aBadRuleOrFileIsAUsageError() throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"rules\":{\"read\":\"resource.data.owner ==\"},\"cases\":[]}");
        assertThat(run("rules", "test", "bad.json")).isEqualTo(CliException.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rules.read");
        assertThat(run("rules", "test", "missing.json")).isEqualTo(CliException.USAGE);
    }
}
