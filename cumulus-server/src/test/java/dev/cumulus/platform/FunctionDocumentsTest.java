package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Context.documents()} from inside an instance, on a real node: as the execution role
 * (IAM decides: a collection outside its policy is denied), and for the end user of a route with
 * {@code auth: user}, by the user's token or as the caller the node verified (the collection's
 * rules judge that user; a direct invocation has no caller).
 */
class FunctionDocumentsTest {
    @TempDir
    static Path dir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "stock-keeper", "policy": {"Version": "2026-12-01", "Statement": [
                 {"Effect": "Allow", "Action": "db:*", "Resource": ["crn:cumulus:db:default:stock/*",
                  "crn:cumulus:db:default:notes/*", "crn:cumulus:db:default:*"]},
                 {"Effect": "Deny", "Action": "db:*", "Resource": "crn:cumulus:db:default:secret/*"}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        for (String c : new String[] {"stock", "secret"}) {
            assertThat(node.send("PUT", "/v1/db/collections/" + c, "{}").statusCode()).isEqualTo(201);
        }
        assertThat(node.send("PUT", "/v1/db/collections/notes", """
                {"rules":{"read":"request.auth != null && resource.data.owner == request.auth.uid",
                 "create":"request.auth != null && request.data.owner == request.auth.uid",
                 "update":"request.auth != null && resource.data.owner == request.auth.uid"}}""").statusCode())
                .isEqualTo(201);
        node.deploy("keeper", "dev.cumulus.testfn.DocumentKeeper", Map.of("role", "stock-keeper"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aFunctionReadsWritesQueriesAndTransactsAsItsRole() {
        HttpResponse<String> response = node.invoke("keeper", Map.of("collection", "stock"));
        JsonNode out = TestNode.json(response);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(out.get("created").asLong()).isEqualTo(1);
        assertThat(out.get("got").asText()).isEqualTo("apple");
        assertThat(out.get("missing").asBoolean()).isFalse();
        assertThat(out.get("patched").asInt()).isEqualTo(2);
        assertThat(out.get("stalePatch").asText()).isEqualTo("412 PreconditionFailed");
        assertThat(out.get("queried").asInt()).isEqualTo(1);
        assertThat(out.get("transacted").asInt()).isEqualTo(2);
        assertThat(out.get("conflict").asText()).isEqualTo("409 TransactionConflict");
        assertThat(out.get("stock").asInt()).as("the conflicting transaction wrote nothing").isEqualTo(1);
        assertThat(out.get("deleted").asBoolean()).isTrue();
        assertThat(out.get("denied").asText()).as("outside the role's policy").isEqualTo("403 AccessDenied");
        assertThat(out.get("noCaller").asText()).as("a direct invocation has no caller").isEqualTo("403 NoCaller");
    }

    @Test
    void onBehalfOfTheCallerTheRulesJudgeThatUser() {
        HttpResponse<String> route = node.send("POST", "/v1/routes",
                "{\"method\":\"GET\",\"path\":\"/notes\",\"function\":\"keeper\",\"auth\":\"user\"}");
        assertThat(route.statusCode()).as(route.body()).isEqualTo(201);
        JsonNode ada = anonymous();
        JsonNode bob = anonymous();
        JsonNode first = TestNode.json(node.send("GET", "/api/notes?other=nobody", null, bob.get("accessToken").asText()));
        assertThat(first.get("written").asLong()).as(first.toString()).isEqualTo(1);
        assertThat(first.get("ownRead").asText()).isEqualTo("mine");

        HttpResponse<String> response = node.send("GET", "/api/notes?other=" + bob.get("userId").asText(), null,
                ada.get("accessToken").asText());
        JsonNode out = TestNode.json(response);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(out.get("written").asLong()).isEqualTo(1);
        assertThat(out.get("ownRead").asText()).isEqualTo("mine");
        assertThat(out.get("other").asText()).as("bob's note, judged by the rules as ada").isEqualTo("403 AccessDenied");
        assertThat(out.get("callerPatched").asLong()).as("as the verified caller").isEqualTo(2);
        assertThat(out.get("callerOther").asText()).isEqualTo("403 AccessDenied");
    }

    static JsonNode anonymous() {
        HttpResponse<String> session = node.send("POST", "/v1/projects/default/auth/anonymous", null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        return TestNode.json(session);
    }
}
