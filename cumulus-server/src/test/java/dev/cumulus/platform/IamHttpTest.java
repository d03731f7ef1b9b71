package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IAM REST API on a real node: projects, keys, users, roles, audit and simulate, and their boundaries. */
class IamHttpTest {
    static final String INVOKE_ORDERS = """
            {"Version":"2026-12-01","Statement":[{"Sid":"InvokeOrders","Effect":"Allow","Action":"functions:Invoke",
             "Resource":"crn:cumulus:functions:%s:orders-*"}]}""";

    @TempDir
    static Path dataDir;

    static TestNode node;
    static String keyA;
    static String keyB;
    static String keyIdB;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        for (String project : List.of("alpha", "beta")) {
            HttpResponse<String> created = node.send("POST", "/v1/projects", "{\"name\":\"" + project + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        JsonNode a = createKey("alpha", "{\"project\":\"alpha\",\"admin\":true,\"description\":\"alpha admin\"}");
        keyA = a.get("token").asText();
        JsonNode b = createKey("beta", "{\"project\":\"beta\",\"admin\":true}");
        keyB = b.get("token").asText();
        keyIdB = b.get("keyId").asText();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static JsonNode createKey(String project, String body) {
        HttpResponse<String> response = node.send("POST", "/v1/api-keys", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode key = TestNode.json(response);
        assertThat(key.get("project").asText()).isEqualTo(project);
        return key;
    }

    static HttpResponse<String> as(String token, String method, String path, String body, String project) {
        return node.send(method, path, body, token, project);
    }

    @Test
    void theDefaultProjectExistsAndRootSeesEveryProject() {
        JsonNode projects = TestNode.json(node.send("GET", "/v1/projects", null)).get("projects");
        List<String> names = new ArrayList<>();
        projects.forEach(p -> names.add(p.get("name").asText()));
        assertThat(names).contains("default", "alpha", "beta");

        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"Bad_Name\"}").statusCode()).isEqualTo(400);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"alpha\"}").statusCode()).isEqualTo(409);
        assertThat(node.send("GET", "/v1/projects/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeyOfProjectASeesOnlyA() {
        var r0 = as(keyA, "GET", "/v1/projects", null, null);
        JsonNode listed = TestNode.json(r0).get("projects");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("name").asText()).isEqualTo("alpha");
        assertThat(as(keyA, "GET", "/v1/projects/alpha", null, null).statusCode()).isEqualTo(200);
        assertThat(as(keyA, "GET", "/v1/projects/beta", null, null).statusCode()).isEqualTo(403);

        JsonNode keys = TestNode.json(as(keyA, "GET", "/v1/api-keys", null, null)).get("keys");
        keys.forEach(k -> assertThat(k.get("project").asText()).isEqualTo("alpha"));
        assertThat(keys.toString()).doesNotContain(keyIdB).doesNotContain("token");

        assertThat(as(keyA, "GET", "/v1/api-keys", null, "beta").statusCode()).isEqualTo(403);
        assertThat(as(keyA, "GET", "/v1/api-keys?project=beta", null, null).statusCode()).isEqualTo(403);
        assertThat(as(keyA, "GET", "/v1/roles", null, "beta").statusCode()).isEqualTo(403);
        assertThat(as(keyA, "GET", "/v1/admins", null, "beta").statusCode()).isEqualTo(403);
        assertThat(as(keyA, "GET", "/v1/audit", null, "beta").statusCode()).isEqualTo(403);
        // B's key is "no such key" in A, and A may not name B
        assertThat(as(keyA, "DELETE", "/v1/api-keys/" + keyIdB, null, null).statusCode()).isEqualTo(404);
        assertThat(as(keyA, "DELETE", "/v1/api-keys/" + keyIdB, null, "beta").statusCode()).isEqualTo(403);
        assertThat(as(keyB, "GET", "/v1/projects/beta", null, null).statusCode()).isEqualTo(200);
        // A may not create keys in B, nor projects at all
        assertThat(as(keyA, "POST", "/v1/api-keys", "{\"project\":\"beta\",\"admin\":true}", null).statusCode())
                .isEqualTo(403);
        assertThat(as(keyA, "POST", "/v1/projects", "{\"name\":\"gamma\"}", null).statusCode()).isEqualTo(403);
        assertThat(as(keyA, "DELETE", "/v1/projects/beta", null, null).statusCode()).isEqualTo(403);
    }

    @Test
    void strangersAndUnknownTokensAreUnauthorized() {
        assertThat(as(null, "GET", "/v1/api-keys", null, null).statusCode()).isEqualTo(401);
        assertThat(as("ck_" + "A".repeat(43), "GET", "/v1/api-keys", null, null).statusCode()).isEqualTo(401);
        assertThat(as("nonsense", "POST", "/v1/roles", "{not json", null).statusCode()).isEqualTo(401);
    }

    @Test
    void aRevokedKeyIsRefused() {
        JsonNode key = createKey("alpha", "{\"project\":\"alpha\",\"admin\":true}");
        String token = key.get("token").asText();
        assertThat(as(token, "GET", "/v1/roles", null, null).statusCode()).isEqualTo(200);

        assertThat(as(keyA, "DELETE", "/v1/api-keys/" + key.get("keyId").asText(), null, null).statusCode()).isEqualTo(204);

        HttpResponse<String> refused = as(token, "GET", "/v1/roles", null, null);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(TestNode.json(refused).get("error").asText()).isEqualTo("Unauthorized");
        JsonNode listed = TestNode.json(as(keyA, "GET", "/v1/api-keys", null, null)).get("keys");
        listed.forEach(k -> {
            if (k.get("keyId").asText().equals(key.get("keyId").asText())) {
                assertThat(k.get("revokedAt").isNull()).isFalse();
            }
        });
    }

    @Test
    void anExpiredKeyIsRefused() {
        String expiresAt = Instant.now().plusSeconds(2).toString();
        JsonNode key = createKey("alpha", "{\"project\":\"alpha\",\"admin\":true,\"expiresAt\":\"" + expiresAt + "\"}");
        String token = key.get("token").asText();
        assertThat(as(token, "GET", "/v1/roles", null, null).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> as(token, "GET", "/v1/roles", null, null).statusCode() == 401);
        assertThat(Instant.now()).isAfterOrEqualTo(Instant.parse(expiresAt));
        assertThat(node.send("POST", "/v1/api-keys", "{\"project\":\"alpha\",\"admin\":true,\"expiresAt\":\"2020-01-01T00:00:00Z\"}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void aKeyLimitedByItsPolicyIsDeniedTheRestAndTheDenialIsAudited() {
        JsonNode limited = createKey("alpha", "{\"project\":\"alpha\",\"policy\":" + INVOKE_ORDERS.formatted("alpha") + "}");
        String token = limited.get("token").asText();
        String principal = "api-key:" + limited.get("keyId").asText() + "@alpha";

        HttpResponse<String> denied = as(token, "POST", "/v1/roles", "{\"name\":\"sneaky\",\"admin\":true}", null);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(TestNode.json(denied).get("error").asText()).isEqualTo("AccessDenied");
        assertThat(as(token, "GET", "/v1/audit", null, null).statusCode()).isEqualTo(403);

        JsonNode rootView = TestNode.json(node.send("GET", "/v1/audit?outcome=deny&principal=" + principal, null)).get("entries");
        List<String> actions = new ArrayList<>();
        rootView.forEach(e -> {
            actions.add(e.get("action").asText());
            assertThat(e.get("outcome").asText()).isEqualTo("deny");
            assertThat(e.get("project").asText()).isEqualTo("alpha");
            assertThat(e.get("source").asText()).isNotEmpty();
        });
        assertThat(actions).containsExactlyInAnyOrder("iam:CreateRole", "audit:Read");

        // alpha's admin reads alpha's log, and only alpha's
        JsonNode alphaView = TestNode.json(as(keyA, "GET", "/v1/audit?outcome=deny&limit=1000", null, null)).get("entries");
        assertThat(alphaView.toString()).contains(principal);
        alphaView.forEach(e -> assertThat(e.get("project").asText()).isEqualTo("alpha"));
        assertThat(node.send("GET", "/v1/audit?outcome=maybe", null).statusCode()).isEqualTo(400);
        assertThat(node.send("GET", "/v1/audit?limit=0", null).statusCode()).isEqualTo(400);
    }

    @Test
    void aMalformedPolicyIsA400NamingTheField() {
        HttpResponse<String> response = node.send("POST", "/v1/api-keys", """
                {"project":"alpha","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow","Action":"*",
                 "Resource":"*","Condition":{"IpAddress":{"cumulus:SourceIp":"10.0.0.0/40"}}}]}}""");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = TestNode.json(response);
        assertThat(error.get("error").asText()).isEqualTo("MalformedPolicy");
        assertThat(error.get("message").asText()).contains("Statement[0].Condition.IpAddress.cumulus:SourceIp[0]");

        assertThat(node.send("POST", "/v1/api-keys", "{\"project\":\"alpha\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void rolesAndSimulate() {
        HttpResponse<String> created = as(keyA, "POST", "/v1/roles",
                "{\"name\":\"orders\",\"policy\":" + INVOKE_ORDERS.formatted("alpha") + "}", null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        JsonNode allow = TestNode.json(as(keyA, "POST", "/v1/policy/simulate", """
                {"principal":"role:orders@alpha","action":"functions:Invoke","resource":"crn:cumulus:functions:alpha:orders-create"}""",
                null));
        assertThat(allow.get("decision").asText()).isEqualTo("allow");
        assertThat(allow.get("statement").asText()).isEqualTo("InvokeOrders");
        JsonNode deny = TestNode.json(as(keyA, "POST", "/v1/policy/simulate", """
                {"principal":"role:orders@alpha","action":"functions:Invoke","resource":"crn:cumulus:functions:alpha:billing-run"}""",
                null));
        assertThat(deny.get("decision").asText()).isEqualTo("deny");
        assertThat(deny.get("policy").isNull()).isTrue();
        // simulating in another project is refused to a project key, answered to root
        assertThat(as(keyA, "POST", "/v1/policy/simulate", """
                {"principal":"role:orders@beta","action":"functions:Invoke","resource":"crn:cumulus:functions:beta:orders-create"}""",
                null).statusCode()).isEqualTo(403);
        JsonNode boundary = TestNode.json(as(keyA, "POST", "/v1/policy/simulate", """
                {"principal":"role:orders@alpha","action":"functions:Invoke","resource":"crn:cumulus:functions:beta:orders-create"}""",
                "alpha"));
        assertThat(boundary.get("decision").asText()).isEqualTo("deny");
        assertThat(boundary.get("explanation").asText()).isEqualTo("denied by project-boundary/alpha");
        JsonNode rootAsks = TestNode.json(node.send("POST", "/v1/policy/simulate", """
                {"principal":"role:orders@alpha","action":"functions:Invoke","resource":"crn:cumulus:functions:beta:orders-create"}"""));
        assertThat(rootAsks.get("decision").asText()).isEqualTo("deny");
        assertThat(rootAsks.get("policy").asText()).isEqualTo("project-boundary");

        // one request, one decision, one audit line: the router's, not the handler's again
        JsonNode creations = TestNode.json(node.send("GET",
                "/v1/audit?action=iam:CreateRole&outcome=allow&project=alpha", null)).get("entries");
        assertThat(creations).hasSize(1);
        HttpResponse<String> replaced = as(keyA, "PUT", "/v1/roles/orders/policies", "{\"policies\":[]}", null);
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(TestNode.json(as(keyA, "GET", "/v1/roles/orders", null, null)).get("policies")).isEmpty();
        assertThat(as(keyA, "DELETE", "/v1/roles/orders", null, null).statusCode()).isEqualTo(204);
        assertThat(as(keyA, "GET", "/v1/roles/orders", null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void adminUsersLogInAndActWithTheirSession() {
        HttpResponse<String> created = as(keyA, "POST", "/v1/admins",
                "{\"name\":\"alice\",\"password\":\"correct horse battery\",\"admin\":true}", null);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("correct horse").doesNotContain("argon2");

        assertThat(as(null, "POST", "/v1/login", "{\"project\":\"alpha\",\"user\":\"alice\",\"password\":\"wrong password 1\"}",
                null).statusCode()).isEqualTo(401);
        HttpResponse<String> login = as(null, "POST", "/v1/login",
                "{\"project\":\"alpha\",\"user\":\"alice\",\"password\":\"correct horse battery\"}", null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        String session = TestNode.json(login).get("token").asText();
        assertThat(session).startsWith("cs_");

        assertThat(as(session, "GET", "/v1/admins", null, null).statusCode()).isEqualTo(200);
        assertThat(as(session, "GET", "/v1/admins", null, "beta").statusCode()).isEqualTo(403);
        JsonNode logins = TestNode.json(node.send("GET", "/v1/audit?action=iam:Login&project=alpha", null)).get("entries");
        List<String> outcomes = new ArrayList<>();
        logins.forEach(e -> outcomes.add(e.get("outcome").asText()));
        assertThat(outcomes).contains("allow", "deny");

        assertThat(as(keyA, "DELETE", "/v1/admins/alice", null, null).statusCode()).isEqualTo(204);
        assertThat(as(session, "GET", "/v1/admins", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void accessKeysBelongToAProjectAndCarryPolicies() {
        HttpResponse<String> created = node.send("POST", "/v1/keys",
                "{\"project\":\"beta\",\"policy\":" + INVOKE_ORDERS.formatted("beta") + "}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode key = TestNode.json(created);
        assertThat(key.get("project").asText()).isEqualTo("beta");
        assertThat(key.get("policies").get(0).get("Statement").get(0).get("Sid").asText()).isEqualTo("InvokeOrders");

        JsonNode defaultKey = TestNode.json(node.send("POST", "/v1/keys", "{}"));
        assertThat(defaultKey.get("project").asText()).isEqualTo("default");
        assertThat(defaultKey.get("policies").get(0).get("Statement").get(0).get("Resource").asText())
                .isEqualTo("crn:cumulus:*:default:*");

        JsonNode beta = TestNode.json(node.send("GET", "/v1/keys?project=beta", null)).get("keys");
        beta.forEach(k -> assertThat(k.get("project").asText()).isEqualTo("beta"));
        assertThat(beta.toString()).contains(key.get("accessKeyId").asText())
                .doesNotContain(defaultKey.get("accessKeyId").asText());
        assertThat(node.send("POST", "/v1/keys", "{\"project\":\"nope\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void aProjectIsDeletedOnlyWhenEmpty() {
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"doomed\"}").statusCode()).isEqualTo(201);
        JsonNode key = createKey("doomed", "{\"project\":\"doomed\",\"admin\":true}");

        HttpResponse<String> refused = node.send("DELETE", "/v1/projects/doomed", null);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(TestNode.json(refused).get("contents").get("api keys").asInt()).isEqualTo(1);

        assertThat(node.send("DELETE", "/v1/api-keys/" + key.get("keyId").asText() + "?project=doomed", null).statusCode())
                .isEqualTo(204);
        assertThat(node.send("DELETE", "/v1/projects/doomed", null).statusCode()).isEqualTo(204);
        assertThat(node.send("GET", "/v1/projects/doomed", null).statusCode()).isEqualTo(404);
        assertThat(node.send("DELETE", "/v1/projects/default", null).statusCode()).isEqualTo(400);
    }
}
