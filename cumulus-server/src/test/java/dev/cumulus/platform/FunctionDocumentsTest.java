package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * rules judge that user; a direct invocation has no caller); a trigger writing into the
 * collection that triggers it is stopped after 8 hops, and direct writes are no chain.
 */
class FunctionDocumentsTest {
    private static final java.time.Duration DELIVERY = java.time.Duration.ofSeconds(120);

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

    @Test
    void aTriggerWritingIntoTheCollectionThatTriggersItIsStoppedAfterEightHops() {
        node.deploy("echo", "dev.cumulus.testfn.DocumentEcho", Map.of("role", "stock-keeper"));
        assertThat(node.send("PUT", "/v1/topics/loop-changes", null).statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/topics/loop-changes/subscriptions", "{\"function\":\"echo\"}").statusCode())
                .isEqualTo(201);
        assertThat(node.send("PUT", "/v1/db/collections/loop", "{\"changesTopic\":\"loop-changes\"}").statusCode())
                .isEqualTo(201);
        assertThat(node.send("PUT", "/v1/db/collections/loop/documents/a", "{\"start\":true}").statusCode()).isEqualTo(201);

        // the client's write is hop 0; the invocations it sets off write hops 1..7; the 8th is refused
        await().atMost(DELIVERY).until(() -> refusedTry("echo") != null);
        JsonNode error = refusedTry("echo");
        assertThat(error.get("errorMessage").asText()).as(error.toString()).contains("ChangeLoop").contains("limit is 8");
        JsonNode doc = TestNode.json(node.send("GET", "/v1/db/collections/loop/documents/a", null));
        assertThat(doc.get("version").asLong()).as("the client's write and seven written back").isEqualTo(8);
        assertThat(invocations("echo")).as("one invocation per change, none after the refused write").hasSize(8);
        assertThat(invocations("echo").stream().filter(r -> r.get("state").asText().equals("succeeded")).count())
                .isEqualTo(7);

        // writes not set off by a change are no chain, however many: nine direct invocations all write
        for (int i = 1; i <= 9; i++) {
            HttpResponse<String> direct = node.invoke("echo", Map.of("collection", "stock", "id", "tally"));
            assertThat(direct.statusCode()).as(direct.body()).isEqualTo(200);
            assertThat(TestNode.json(direct).get("version").asLong()).isEqualTo(i);
        }
    }

    @Test
    void actingAsTheCallerIsRefusedWithoutACallerWithAnotherFunctionsTokenAndWithBothHeaders() {
        node.deploy("probe", "dev.cumulus.testfn.CallerProbe", Map.of("role", "stock-keeper"));
        node.deploy("other", "dev.cumulus.testfn.CallerProbe", Map.of("role", "stock-keeper"));
        assertThat(node.send("PUT", "/v1/db/collections/probes", "{}").statusCode()).isEqualTo(201);

        // an invocation set off by an event has no caller to act for
        assertThat(node.send("PUT", "/v1/topics/probe-events", null).statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/topics/probe-events/subscriptions", "{\"function\":\"probe\"}").statusCode())
                .isEqualTo(201);
        HttpResponse<String> published = node.send("POST", "/v1/topics/probe-events/events", "{\"record\":\"trigger\"}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
        await().atMost(DELIVERY).until(() -> node.send("GET", "/v1/db/collections/probes/documents/trigger", null)
                .statusCode() == 200);
        JsonNode probe = TestNode.json(node.send("GET", "/v1/db/collections/probes/documents/trigger", null));
        assertThat(probe.at("/data/asCaller").asText()).as(probe.toString()).isEqualTo("403 NoCaller");

        // another function's execution token, or something that is no token, proves no invocation of this one
        String foreign = TestNode.json(node.invoke("other", Map.of("token", true))).get("token").asText();
        assertThat(foreign).isNotEmpty();
        JsonNode out = TestNode.json(node.invoke("probe", Map.of("foreignToken", foreign)));
        for (String attempt : new String[] {"foreignAsCaller", "noTokenAsCaller", "foreignInvocation"}) {
            assertThat(out.get(attempt).asText()).as(attempt).startsWith("403 ").contains("AccessDenied");
        }
        assertThat(node.send("GET", "/v1/db/collections/stock/documents/probe", null).statusCode())
                .as("the write with another function's token was refused").isEqualTo(404);

        // with a caller, acting as the caller and on behalf of a token at once is ambiguous
        HttpResponse<String> route = node.send("POST", "/v1/routes",
                "{\"method\":\"GET\",\"path\":\"/probe\",\"function\":\"probe\",\"auth\":\"user\"}");
        assertThat(route.statusCode()).as(route.body()).isEqualTo(201);
        JsonNode both = TestNode.json(node.send("GET", "/api/probe", null, anonymous().get("accessToken").asText()));
        assertThat(both.get("both").asText()).as(both.toString()).startsWith("400 ").contains("InvalidHeader");
    }

    /** The error of the first try of an invocation of {@code function} refused as a loop; null while none is. */
    static JsonNode refusedTry(String function) {
        for (JsonNode r : invocations(function)) {
            JsonNode detail = TestNode.json(node.send("GET", "/v1/invocations/" + r.get("requestId").asText(), null));
            for (JsonNode t : detail.get("tries")) {
                if (t.path("error").path("errorMessage").asText().contains("ChangeLoop")) {
                    return t.get("error");
                }
            }
        }
        return null;
    }

    static java.util.List<JsonNode> invocations(String function) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/" + function + "/invocations?limit=1000", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        TestNode.json(response).get("invocations").forEach(all::add);
        return all;
    }

    static JsonNode anonymous() {
        HttpResponse<String> session = node.send("POST", "/v1/projects/default/auth/anonymous", null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        return TestNode.json(session);
    }
}
