package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.iam.ExecutionTokens;
import dev.cumulus.iam.Principal;
import dev.cumulus.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each invocation of a function with an execution role gets a token in its Context, signed by the
 * node and naming its project, function, role and request; a function without a role gets none.
 */
class ExecutionTokenTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        // a function's role must exist in its project
        for (String role : java.util.List.of("orders-writer", "r", "first", "second")) {
            var created = node.send("POST", "/v1/roles", "{\"name\":\"" + role + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aFunctionWithARoleReadsItsTokenFromContext() throws Exception {
        node.deploy("orders-create", "dev.cumulus.testfn.Credentials", Map.of("role", "orders-writer", "timeoutSeconds", 5));

        var response = node.invoke("orders-create", Map.of());
        JsonNode answer = TestNode.json(response);
        String requestId = response.headers().firstValue("X-Cumulus-Request-Id").orElseThrow();
        String token = answer.get("token").asText();
        ExecutionTokens tokens = node.platform.executionTokens();

        ExecutionTokens.Claims claims = tokens.verify(token).orElseThrow();
        assertThat(claims.project()).isEqualTo("default");
        assertThat(claims.function()).isEqualTo("orders-create");
        assertThat(claims.role()).isEqualTo("orders-writer");
        assertThat(claims.requestId()).isEqualTo(requestId);
        // expires after the invocation's deadline (5 s from its start), within the margin
        assertThat(claims.expiresAt()).isAfter(Instant.now().plusSeconds(20))
                .isBefore(Instant.now().plus(ExecutionTokens.MARGIN).plusSeconds(6));
        assertThat(tokens.principals().apply(token))
                .contains(new Principal(Principal.Kind.ROLE, "orders-writer", "default"));
        assertThat(answer.get("apiUrl").asText()).isEqualTo(node.platform.url().toString());

        // another invocation gets a token of its own
        String second = TestNode.json(node.invoke("orders-create", Map.of())).get("token").asText();
        assertThat(second).isNotEqualTo(token);
        assertThat(tokens.verify(second).orElseThrow().requestId()).isNotEqualTo(requestId);
    }

    @Test
    void aReplayedExpiredOrTamperedTokenIsRefused() throws Exception {
        node.deploy("replayed", "dev.cumulus.testfn.Credentials", Map.of("role", "r"));
        String token = TestNode.json(node.invoke("replayed", Map.of())).get("token").asText();
        ExecutionTokens.Claims claims = node.platform.executionTokens().verify(token).orElseThrow();

        // the node's own key, read at a time after the token's expiry: what a replay later meets
        MutableClock later = new MutableClock(claims.expiresAt());
        assertThat(ExecutionTokens.loadOrCreate(dataDir, later).verify(token)).isEmpty();
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2)
                + (parts[1].endsWith("A") ? "B" : "A") + parts[1].charAt(parts[1].length() - 1) + "." + parts[2];
        assertThat(node.platform.executionTokens().verify(tampered)).isEmpty();
        assertThat(node.platform.executionTokens().principals().apply(tampered)).isEmpty();
    }

    @Test
    void aFunctionWithoutARoleGetsNoToken() {
        node.deploy("no-role", "dev.cumulus.testfn.Credentials", Map.of());

        assertThat(TestNode.json(node.invoke("no-role", Map.of())).get("token").isNull()).isTrue();
    }

    @Test
    void aRoleIsChangedAndClearedLikeAnyOtherSetting() {
        node.deploy("role-change", "dev.cumulus.testfn.Credentials", Map.of("role", "first"));
        String first = TestNode.json(node.invoke("role-change", Map.of())).get("token").asText();
        node.send("PUT", "/v1/functions/role-change", "{\"role\":\"second\"}");
        String second = TestNode.json(node.invoke("role-change", Map.of())).get("token").asText();
        node.send("PUT", "/v1/functions/role-change", "{\"role\":null}");
        JsonNode cleared = TestNode.json(node.invoke("role-change", Map.of()));

        assertThat(node.platform.executionTokens().verify(first).orElseThrow().role()).isEqualTo("first");
        assertThat(node.platform.executionTokens().verify(second).orElseThrow().role()).isEqualTo("second");
        assertThat(cleared.get("token").isNull()).isTrue();
        assertThat(TestNode.json(node.send("GET", "/v1/functions/role-change", null)).has("role")).isTrue();
    }

    @Test
    void aRoleThatDoesNotExistInTheProjectIsRefused() {
        var response = node.send("PUT", "/v1/functions/ghost-role", TestNode.write(Map.of(
                "handler", "dev.cumulus.testfn.Credentials", "codeSha256", node.testFunctionsCode(), "role", "nobody")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo("InvalidRole");
        assertThat(node.send("GET", "/v1/functions/ghost-role", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aMalformedRoleIsRefused() {
        var response = node.send("PUT", "/v1/functions/bad-role", TestNode.write(Map.of(
                "handler", "dev.cumulus.testfn.Credentials", "codeSha256", node.testFunctionsCode(), "role", "a/b")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo("InvalidParameter");
    }
}
