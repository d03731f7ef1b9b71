package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function's secrets reach its instances' environment and nothing else: not the Store in clear,
 * not any GET, not its logs (redacted), not another function.
 */
class SecretsTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aSecretReachesOnlyItsFunctionAndNeverComesBack() throws Exception {
        String value = "pw-" + UUID.randomUUID();
        node.deploy("vault", "dev.cumulus.testfn.Credentials", Map.of());
        node.deploy("neighbour", "dev.cumulus.testfn.Credentials", Map.of());
        assertThat(node.invoke("vault", Map.of()).statusCode()).isEqualTo(200); // an instance from before

        assertThat(put("vault", "DB_PASSWORD", value).statusCode()).isEqualTo(204);

        // the running instance was retired: the next one starts with the secret
        JsonNode printed = TestNode.json(node.invoke("vault", Map.of("print", "DB_PASSWORD")));
        assertThat(printed.get("had").asBoolean()).isTrue();
        assertThat(printed.get("length").asInt()).isEqualTo(value.length());
        String logs = node.send("GET", "/v1/functions/vault/logs", null).body();
        assertThat(logs).contains("the value of DB_PASSWORD is ***").contains("logged ***").doesNotContain(value);

        JsonNode listed = TestNode.json(node.send("GET", "/v1/functions/vault/secrets", null));
        assertThat(listed.get("secrets")).hasSize(1);
        assertThat(listed.at("/secrets/0/name").asText()).isEqualTo("DB_PASSWORD");
        assertThat(listed.at("/secrets/0/createdAt").isTextual()).isTrue();
        for (String path : List.of("/v1/functions/vault/secrets", "/v1/functions/vault", "/v1/functions",
                "/v1/functions/vault/versions", "/v1/functions/vault/instances")) {
            assertThat(node.send("GET", path, null).body()).as(path).doesNotContain(value);
        }

        List<String> stored = storedSecrets();
        assertThat(stored).hasSize(1);
        assertThat(stored.getFirst()).doesNotContain(value)
                .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));

        assertThat(TestNode.json(node.invoke("neighbour", Map.of("print", "DB_PASSWORD"))).get("had").asBoolean())
                .isFalse();
        assertThat(TestNode.json(node.send("GET", "/v1/functions/neighbour/secrets", null)).get("secrets")).isEmpty();
    }

    @Test
    void aChangedSecretReachesNewInstancesAndADeletedOneIsGone() {
        node.deploy("rotating", "dev.cumulus.testfn.Credentials", Map.of());
        put("rotating", "API_KEY", "first-value");
        assertThat(TestNode.json(node.invoke("rotating", Map.of("print", "API_KEY"))).get("length").asInt())
                .isEqualTo("first-value".length());

        put("rotating", "API_KEY", "the-second-value");
        assertThat(TestNode.json(node.invoke("rotating", Map.of("print", "API_KEY"))).get("length").asInt())
                .isEqualTo("the-second-value".length());
        assertThat(node.send("GET", "/v1/functions/rotating/logs", null).body())
                .doesNotContain("first-value").doesNotContain("the-second-value");

        assertThat(node.send("DELETE", "/v1/functions/rotating/secrets/API_KEY", null).statusCode()).isEqualTo(204);
        assertThat(TestNode.json(node.invoke("rotating", Map.of("print", "API_KEY"))).get("had").asBoolean()).isFalse();
        assertThat(node.send("DELETE", "/v1/functions/rotating/secrets/API_KEY", null).statusCode()).isEqualTo(404);
    }

    @Test
    void badRequestsAreRefusedPrecisely() {
        node.deploy("strict", "dev.cumulus.testfn.Credentials", Map.of());

        assertRefused(put("strict", "AWS_SECRET_ACCESS_KEY", "x"), 400, "ReservedName");
        assertRefused(put("strict", "not-a-name", "x"), 400, "InvalidParameter");
        assertRefused(node.send("PUT", "/v1/functions/strict/secrets/OK", "{\"value\":42}"), 400, "InvalidParameter");
        assertRefused(node.send("PUT", "/v1/functions/strict/secrets/OK", "{\"value\":\"v\",\"x\":1}"), 400,
                "InvalidParameter");
        assertRefused(put("missing", "OK", "x"), 404, "NotFound");
        assertRefused(node.send("POST", "/v1/functions/strict/secrets", "{}"), 405, "MethodNotAllowed");
        assertThat(node.send("PUT", "/v1/functions/strict/secrets/OK", "{\"value\":\"v\"}", "wrong-token").statusCode())
                .isEqualTo(401);
    }

    private static java.net.http.HttpResponse<String> put(String function, String name, String value) {
        return node.send("PUT", "/v1/functions/" + function + "/secrets/" + name, TestNode.write(Map.of("value", value)));
    }

    private static void assertRefused(java.net.http.HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo(code);
    }

    /** The sealed values as the Store holds them, read past the node. */
    private static List<String> storedSecrets() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("cumulus.db"));
                ResultSet rs = c.createStatement().executeQuery("SELECT value_sealed FROM function_secrets"
                        + " WHERE function_name = 'vault'")) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        }
    }
}
