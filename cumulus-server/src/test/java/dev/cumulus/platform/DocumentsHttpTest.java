package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The document database over HTTP on a real node: routes, IAM, ETags, precise JSON errors. */
class DocumentsHttpTest {
    static final String DB = "/v1/projects/shop/db";

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"shop\"}").statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"other\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + node.platform.rootToken());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return node.exchange(request.build());
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        assertThat(TestNode.json(response).get("error").asText()).isEqualTo(code);
    }

    @Test
    void aPrincipalActingOnBehalfOfAnEndUserIsJudgedByTheRules() {
        String db = "/v1/projects/shop/db/collections/carts";
        HttpResponse<String> created = send("PUT", db, """
                {"rules":{"read":"request.auth != null && resource.data.owner == request.auth.uid",
                 "create":"request.auth != null && request.data.owner == request.auth.uid"}}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode adaSession = endUser("shop");
        String ada = adaSession.get("accessToken").asText();
        String adaId = adaSession.get("userId").asText();
        String bob = endUser("shop").get("accessToken").asText();

        // as itself, the IAM principal is beyond the rules; for Ada, the rules decide
        assertThat(send("POST", db + "/documents", "{\"owner\":\"someone\"}").statusCode()).isEqualTo(201);
        assertThat(send("POST", db + "/documents", "{\"owner\":\"someone\"}", "X-Cumulus-On-Behalf-Of",
                "Bearer " + ada).statusCode()).isEqualTo(403);
        HttpResponse<String> hers = send("POST", db + "/documents", "{\"owner\":\"" + adaId + "\"}",
                "X-Cumulus-On-Behalf-Of", "Bearer " + ada);
        assertThat(hers.statusCode()).as(hers.body()).isEqualTo(201);
        String id = TestNode.json(hers).get("id").asText();
        assertThat(send("GET", db + "/documents/" + id, null, "X-Cumulus-On-Behalf-Of", "Bearer " + ada).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", db + "/documents/" + id, null, "X-Cumulus-On-Behalf-Of", "Bearer " + bob).statusCode())
                .isEqualTo(403);
        assertError(send("GET", db + "/documents/" + id, null, "X-Cumulus-On-Behalf-Of", "Bearer not-a-token"),
                401, "InvalidEndUserToken");
        // another project's end user is nobody here
        assertError(send("GET", db + "/documents/" + id, null, "X-Cumulus-On-Behalf-Of", "Bearer " + endUser("other").get("accessToken").asText()),
                401, "InvalidEndUserToken");
    }

    /** An anonymous end user's session in {@code project}: its accessToken and userId. */
    static JsonNode endUser(String project) {
        HttpResponse<String> session = node.send("POST", "/v1/projects/" + project + "/auth/anonymous", null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        return TestNode.json(session);
    }

    @Test
    void documentsLiveUnderTheProjectsDbPathWithETagsAndPreciseErrors() {
        HttpResponse<String> put = send("PUT", DB + "/collections/products",
                "{\"indexes\":[\"price\"],\"schema\":{\"type\":\"object\",\"required\":[\"name\"]}}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        // settings are replaced whole: a second PUT is an update (200)
        assertThat(send("PUT", DB + "/collections/products",
                "{\"indexes\":[\"price\",\"name\"],\"schema\":{\"type\":\"object\",\"required\":[\"name\"]}}")
                .statusCode()).isEqualTo(200);

        HttpResponse<String> created = send("POST", DB + "/collections/products/documents",
                "{\"name\":\"apple\",\"price\":2}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = TestNode.json(created).get("id").asText();
        assertThat(created.headers().firstValue("ETag")).hasValue("\"1\"");
        assertThat(created.headers().firstValue("Location")).hasValue(DB + "/collections/products/documents/" + id);

        HttpResponse<String> got = send("GET", DB + "/collections/products/documents/" + id, null);
        assertThat(TestNode.json(got).at("/data/name").asText()).isEqualTo("apple");
        assertThat(send("GET", DB + "/collections/products/documents/" + id, null, "If-None-Match", "\"1\"").statusCode())
                .isEqualTo(304);

        HttpResponse<String> patched = send("PATCH", DB + "/collections/products/documents/" + id, "{\"price\":3}",
                "If-Match", "\"1\"");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(patched.headers().firstValue("ETag")).hasValue("\"2\"");
        assertError(send("PUT", DB + "/collections/products/documents/" + id, "{\"name\":\"x\"}", "If-Match", "\"1\""),
                412, "PreconditionFailed");
        assertThat(send("PUT", DB + "/collections/products/documents/pear", "{\"name\":\"pear\",\"price\":1}")
                .statusCode()).isEqualTo(201);
        assertError(send("PUT", DB + "/collections/products/documents/pear", "{\"name\":\"pear\"}", "If-None-Match", "*"),
                412, "PreconditionFailed");

        HttpResponse<String> page = send("POST", DB + "/collections/products/query",
                "{\"where\":{\"field\":\"price\",\"op\":\">=\",\"value\":1},\"orderBy\":[{\"field\":\"price\",\"direction\":\"desc\"}],\"limit\":1}");
        JsonNode body = TestNode.json(page);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(body.at("/documents/0/id").asText()).isEqualTo(id);
        String cursor = body.get("nextCursor").asText();
        JsonNode next = TestNode.json(send("POST", DB + "/collections/products/query",
                "{\"where\":{\"field\":\"price\",\"op\":\">=\",\"value\":1},\"orderBy\":[{\"field\":\"price\",\"direction\":\"desc\"}],\"limit\":1,\"cursor\":\"" + cursor + "\"}"));
        assertThat(next.at("/documents/0/id").asText()).isEqualTo("pear");
        assertThat(next.get("nextCursor").isNull()).isTrue();
        assertThat(TestNode.json(send("POST", DB + "/collections/products/query",
                "{\"where\":{\"field\":\"price\",\"op\":\">=\",\"value\":1},\"count\":true}")).get("count").asLong())
                .isEqualTo(2);

        assertError(send("POST", DB + "/collections/products/query", "{\"where\":{\"field\":\"price\",\"op\":\"~=\",\"value\":1}}"),
                400, "InvalidOperator");
        assertError(send("POST", DB + "/collections/products/documents", "{\"name\":"), 400, "MalformedJson");
        assertError(send("POST", DB + "/collections/products/documents", "{\"price\":1}"), 400, "SchemaViolation");
        assertError(send("POST", DB + "/collections/products/documents",
                "{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}"), 413, "DocumentTooLarge");
        assertError(send("GET", DB + "/collections/nope/documents/x", null), 404, "CollectionNotFound");
        assertError(send("POST", DB + "/transaction",
                "{\"reads\":[{\"collection\":\"products\",\"id\":\"pear\",\"version\":7}],"
                        + "\"writes\":[{\"op\":\"delete\",\"collection\":\"products\",\"id\":\"pear\"}]}"), 409, "TransactionConflict");
        HttpResponse<String> batch = send("POST", DB + "/batch",
                "{\"writes\":[{\"op\":\"create\",\"collection\":\"products\",\"data\":{\"name\":\"kiwi\"}},"
                        + "{\"op\":\"delete\",\"collection\":\"products\",\"id\":\"pear\",\"ifVersion\":1}]}");
        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(200);
        assertThat(TestNode.json(batch).at("/results/1/version").isNull()).isTrue();
        assertError(send("POST", DB + "/batch", "{\"reads\":[],\"writes\":[]}"), 400, "InvalidBody");

        // another project sees none of it
        assertError(send("GET", "/v1/projects/other/db/collections/products/documents/" + id, null), 404,
                "CollectionNotFound");
        assertThat(TestNode.json(send("GET", "/v1/projects/other/db/collections", null)).get("collections")).isEmpty();
        assertThat(TestNode.json(send("GET", DB + "/collections", null)).at("/collections/0/documents").asLong())
                .isEqualTo(2);

        assertThat(send("DELETE", DB + "/collections/products/documents/" + id, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", DB + "/collections/products", null).statusCode()).isEqualTo(204);
        assertError(send("DELETE", DB + "/collections/products", null), 404, "CollectionNotFound");
    }

    @Test
    void aPrincipalWithoutAGrantForACollectionOrAnActionIsDenied() {
        send("PUT", DB + "/collections/catalog", "{}");
        send("PUT", DB + "/collections/ledger", "{}");
        send("PUT", DB + "/collections/catalog/documents/p1", "{\"name\":\"apple\"}");
        send("PUT", DB + "/collections/ledger/documents/l1", "{\"amount\":5}");
        String policy = """
                {"Version":"2026-12-01","Statement":[{"Sid":"ReadCatalog","Effect":"Allow",
                 "Action":["db:GetDocument","db:Query"],"Resource":"crn:cumulus:db:shop:catalog/*"}]}""";
        HttpResponse<String> key = node.send("POST", "/v1/api-keys", "{\"project\":\"shop\",\"policy\":" + policy + "}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        String token = TestNode.json(key).get("token").asText();
        assertThat(node.send("GET", DB + "/collections/catalog/documents/p1", null, token).statusCode()).isEqualTo(200);
        assertThat(node.send("POST", DB + "/collections/catalog/query", "{}", token).statusCode()).isEqualTo(200);
        assertError(node.send("PUT", DB + "/collections/catalog/documents/p1", "{}", token), 403, "AccessDenied");
        assertError(node.send("GET", DB + "/collections/ledger/documents/l1", null, token), 403, "AccessDenied");
        assertError(node.send("POST", DB + "/transaction", "{\"writes\":[]}", token), 403, "AccessDenied");
    }

    @Test
    void aKeyOfAnotherProjectIsDenied() {
        send("PUT", DB + "/collections/private", "{}");
        HttpResponse<String> key = node.send("POST", "/v1/api-keys", "{\"project\":\"other\",\"admin\":true}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        String token = TestNode.json(key).get("token").asText();
        assertError(node.send("GET", DB + "/collections/private", null, token), 403, "AccessDenied");
        assertThat(node.send("GET", "/v1/projects/other/db/collections", null, token).statusCode()).isEqualTo(200);
    }

    /** Reads an event stream's lines until {@code ids} more event ids came, with a deadline. */
    static List<String> readIds(BufferedReader lines, int ids) throws Exception {
        List<String> seen = new ArrayList<>();
        try (var reader = Executors.newVirtualThreadPerTaskExecutor()) {
            return reader.submit(() -> {
                String line;
                while (seen.size() < ids && (line = lines.readLine()) != null) {
                    if (line.startsWith("id: ")) {
                        seen.add(line.substring(4));
                    } else if (line.startsWith("event: ")) {
                        seen.add(line.substring(7));
                        seen.removeLast();
                    }
                }
                return seen;
            }).get(30, TimeUnit.SECONDS);
        }
    }

    static BufferedReader listen(HttpClient http, String collection, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url(DB + "/collections/" + collection + "/changes"))
                .header("Authorization", "Bearer " + node.platform.rootToken());
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void changesStreamAsServerSentEventsAndResumeFromTheLastEventId() throws Exception {
        assertThat(send("PUT", DB + "/collections/feed", "{}").statusCode()).isEqualTo(201);
        send("PUT", DB + "/collections/feed/documents/a", "{\"n\":1}");
        send("PATCH", DB + "/collections/feed/documents/a", "{\"n\":2}");
        try (HttpClient http = HttpClient.newHttpClient()) {
            BufferedReader stream = listen(http, "feed", "0");
            assertThat(readIds(stream, 2)).containsExactly("1", "2");
            send("DELETE", DB + "/collections/feed/documents/a", null);
            assertThat(readIds(stream, 1)).containsExactly("3");
            stream.close();

            BufferedReader resumed = listen(http, "feed", "1");
            assertThat(readIds(resumed, 2)).containsExactly("2", "3");
            resumed.close();
        }
        assertError(send("GET", DB + "/collections/feed/changes", null, "Last-Event-ID", "yesterday"), 400, "InvalidEventId");
    }

    @Test
    void committedWritesReachATriggerFunctionAsChangeEvents() throws Exception {
        // topics are served in project default today (Topics.PROJECT), so the collection is there too
        assertThat(node.send("PUT", "/v1/topics/cart-changes", null).statusCode()).isEqualTo(201);
        node.deploy("cart-trigger", "dev.cumulus.testfn.CloudEventLog", Map.of());
        HttpResponse<String> subscribed = node.send("POST", "/v1/topics/cart-changes/subscriptions",
                "{\"function\":\"cart-trigger\"}");
        assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
        assertThat(send("PUT", "/v1/db/collections/carts", "{\"changesTopic\":\"cart-changes\"}").statusCode())
                .isEqualTo(201);
        send("PUT", "/v1/db/collections/carts/documents/c1", "{\"items\":1}");
        send("PATCH", "/v1/db/collections/carts/documents/c1", "{\"items\":2}");
        send("DELETE", "/v1/db/collections/carts/documents/c1", null);

        await().atMost(Duration.ofSeconds(90)).until(() -> changeLines().size() == 3);
        List<String> lines = changeLines();
        assertThat(lines).extracting(l -> l.split("\\|")[1])
                .containsExactlyInAnyOrder("document.created", "document.updated", "document.deleted");
        String updated = lines.stream().filter(l -> l.contains("|document.updated|")).findFirst().orElseThrow();
        assertThat(updated).contains("|/db/default/carts|carts/c1|").contains("\"before\":{\"id\":\"c1\",\"version\":1")
                .contains("\"hops\":1");
        // a function writing back with the event's hops in the header is stopped at the limit
        assertError(send("PUT", "/v1/db/collections/carts/documents/c2", "{}", "Cumulus-Db-Hops", "8"), 508, "ChangeLoop");
    }

    static List<String> changeLines() throws Exception {
        HttpResponse<String> response = node.send("GET", "/v1/functions/cart-trigger/logs?limit=10000", null);
        List<String> lines = new ArrayList<>();
        for (String json : response.body().split("\n")) {
            if (!json.isBlank()) {
                String line = TestNode.JSON.readTree(json).path("line").asText();
                if (line.startsWith("ce ")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}
