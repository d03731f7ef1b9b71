package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.users.IssuedEarlier;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A browser holding only an end user's access token (ADR 0034), on a real node: the token is a
 * principal on the document routes of its own project, judged there by the collection's rules
 * only, and nobody anywhere else; CORS lets only the origins a project lists call those routes.
 */
class EndUserDbAccessTest {
    static final String SHOP = "/v1/projects/shop/db/collections";
    static final String ORIGIN = "https://shop.example";

    @TempDir
    static Path dataDir;

    static TestNode node;
    static String ada;
    static String adaId;
    static String bob;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"shop\"}").statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"other\"}").statusCode()).isEqualTo(201);
        for (String project : new String[] {"shop", "other"}) {
            HttpResponse<String> carts = node.send("PUT", "/v1/projects/" + project + "/db/collections/carts", """
                    {"rules":{"read":"request.auth != null && resource.data.owner == request.auth.uid",
                     "list":"request.auth != null && resource.data.owner == request.auth.uid",
                     "create":"request.auth != null && request.data.owner == request.auth.uid",
                     "update":"request.auth != null && resource.data.owner == request.auth.uid && request.data.owner == request.auth.uid",
                     "delete":"request.auth != null && resource.data.owner == request.auth.uid"}}""");
            assertThat(carts.statusCode()).as(carts.body()).isEqualTo(201);
        }
        JsonNode session = endUser("shop");
        ada = session.get("accessToken").asText();
        adaId = session.get("userId").asText();
        bob = endUser("shop").get("accessToken").asText();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static JsonNode endUser(String project) {
        HttpResponse<String> session = node.send("POST", "/v1/projects/" + project + "/auth/anonymous", null, null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(201);
        return TestNode.json(session);
    }

    /** As a browser would: only the end user's token, no IAM credential. */
    static HttpResponse<String> as(String token, String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return node.exchange(request.build());
    }

    static void assertStatus(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isEqualTo(status);
    }

    @Test
    void anEndUsersOwnTokenReadsAndWritesWhatTheRulesAllowAndNothingElse() {
        HttpResponse<String> created = as(ada, "POST", SHOP + "/carts/documents", "{\"owner\":\"" + adaId + "\",\"items\":[]}");
        assertStatus(created, 201);
        String id = TestNode.json(created).get("id").asText();
        assertStatus(as(ada, "GET", SHOP + "/carts/documents/" + id, null), 200);
        assertStatus(as(ada, "PATCH", SHOP + "/carts/documents/" + id, "{\"items\":[\"apple\"]}"), 200);
        HttpResponse<String> mine = as(ada, "POST", SHOP + "/carts/query",
                "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"" + adaId + "\"}}");
        assertStatus(mine, 200);
        assertThat(TestNode.json(mine).get("documents")).hasSize(1);

        // the rules decide: another's document, a document for someone else
        assertStatus(as(bob, "GET", SHOP + "/carts/documents/" + id, null), 403);
        assertStatus(as(bob, "PATCH", SHOP + "/carts/documents/" + id, "{\"owner\":\"bob\"}"), 403);
        assertStatus(as(bob, "DELETE", SHOP + "/carts/documents/" + id, null), 403);
        assertStatus(as(ada, "POST", SHOP + "/carts/documents", "{\"owner\":\"someone-else\"}"), 403);
        // an unfiltered list is narrowed by the rule (ADR 0033): bob sees his own carts, none of ada's
        HttpResponse<String> bobs = as(bob, "POST", SHOP + "/carts/query", "{}");
        assertStatus(bobs, 200);
        assertThat(TestNode.json(bobs).get("documents")).isEmpty();
        // a transaction is judged write by write: nothing of it is written
        assertStatus(as(bob, "POST", "/v1/projects/shop/db/transaction", "{\"writes\":[{\"op\":\"patch\",\"collection\":"
                + "\"carts\",\"id\":\"" + id + "\",\"data\":{\"items\":[]}}]}"), 403);
        assertThat(TestNode.json(as(ada, "GET", SHOP + "/carts/documents/" + id, null)).at("/data/items/0").asText())
                .isEqualTo("apple");
        // a collection without rules is closed to end users, open to IAM principals
        assertStatus(node.send("PUT", SHOP + "/closed", "{}"), 201);
        assertStatus(as(ada, "POST", SHOP + "/closed/documents", "{\"owner\":\"" + adaId + "\"}"), 403);
        // the end user is its own principal: it acts for nobody else
        assertStatus(as(ada, "GET", SHOP + "/carts/documents/" + id, null, "X-Cumulus-On-Behalf-Of", "Bearer " + bob), 400);
        // a root-token caller still sees everything
        assertStatus(node.send("GET", SHOP + "/carts/documents/" + id, null), 200);
    }

    @Test
    void anEndUsersTokenIsNobodyOnEveryOtherRoute() {
        // the collection's settings (rules, schema, indexes) stay IAM's
        assertStatus(as(ada, "PUT", SHOP + "/carts", "{}"), 401);
        assertStatus(as(ada, "GET", SHOP + "/carts", null), 401);
        assertStatus(as(ada, "DELETE", SHOP + "/carts", null), 401);
        assertStatus(as(ada, "GET", SHOP, null), 401);
        // other services, IAM, the admin side of end users
        for (String path : new String[] {"/v1/functions", "/v1/projects/shop/functions", "/v1/projects/shop/roles", "/v1/projects/shop/api-keys",
                "/v1/projects/shop/admins", "/v1/projects/shop/keys", "/v1/projects/shop/users", "/v1/projects/shop/user-settings", "/v1/projects",
                "/v1/projects/shop/topics", "/v1/projects/shop/mail/settings"}) {
            assertStatus(as(ada, "GET", path, null), 401);
        }
        assertStatus(as(ada, "POST", "/v1/projects/shop/roles", "{\"name\":\"r\",\"policies\":[]}"), 401);
        assertStatus(as(ada, "POST", "/v1/projects/shop/api-keys", "{}"), 401);
        assertStatus(as(ada, "POST", "/v1/projects", "{\"name\":\"mine\"}"), 401);
        // another project's database: the token of shop is nobody in other
        assertStatus(as(ada, "POST", "/v1/projects/other/db/collections/carts/documents", "{\"owner\":\"" + adaId + "\"}"), 401);
        assertStatus(as(ada, "POST", "/v1/projects/other/db/collections/carts/query", "{}"), 401);
        // and the database without a project named takes no end users (the token does not choose)
        assertStatus(as(ada, "POST", "/v1/db/collections/carts/documents", "{\"owner\":\"" + adaId + "\"}"), 401);
        // a project that does not exist
        assertStatus(as(ada, "GET", "/v1/projects/nowhere/db/collections/carts/documents/x", null), 401);
    }

    @Test
    void forgedExpiredAndRevokedTokensAreRefused() throws Exception {
        String doc = SHOP + "/carts/documents/x";
        String[] parts = ada.split("\\.");
        Base64.Decoder b64 = Base64.getUrlDecoder();
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        String payload = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
        // tampered: another subject under Ada's signature
        String tampered = parts[0] + "." + enc.encodeToString(payload.replace(adaId, "u-someone-else")
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertStatus(as(tampered, "GET", doc, null), 401);
        // alg none, no signature
        String none = enc.encodeToString("{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        assertStatus(as(none, "GET", doc, null), 401);
        // HS256 with the public key as secret is not ES256
        String hs = enc.encodeToString("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + "." + parts[2];
        assertStatus(as(hs, "GET", doc, null), 401);
        assertStatus(as("not-a-jwt", "GET", doc, null), 401);
        // expired: the project's real key, issued half an hour ago (15 minutes' life, 60 s skew)
        String expired = IssuedEarlier.accessToken(dataDir, "shop", adaId, Duration.ofMinutes(30));
        assertStatus(as(expired, "GET", doc, null), 401);
        // a valid token gets past authentication to the rules (which hide whether x exists)
        assertStatus(as(IssuedEarlier.accessToken(dataDir, "shop", adaId, Duration.ZERO), "GET", doc, null), 403);
        // revoked: a disabled user's tokens stop at once
        JsonNode carol = endUser("shop");
        String carolToken = carol.get("accessToken").asText();
        assertStatus(as(carolToken, "GET", doc, null), 403);
        assertStatus(node.send("POST", "/v1/projects/shop/users/" + carol.get("userId").asText() + "/disable", null), 200);
        assertStatus(as(carolToken, "GET", doc, null), 401);
    }

    @Test
    void onlyOriginsTheProjectListsGetCorsAnswersOnTheAuthAndDbRoutes() {
        String preflightPath = SHOP + "/carts/documents/x";
        // default: no origin at all
        HttpResponse<String> refused = as(null, "OPTIONS", preflightPath, null, "Origin", ORIGIN,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
        assertStatus(refused, 403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(as(ada, "GET", preflightPath, null, "Origin", ORIGIN).headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();

        assertStatus(node.send("PUT", "/v1/projects/shop/user-settings", "{\"allowedOrigins\":[\"" + ORIGIN + "\"]}"), 200);
        assertStatus(node.send("PUT", "/v1/projects/shop/user-settings", "{\"allowedOrigins\":[\"https://x.example/path\"]}"), 400);
        HttpResponse<String> preflight = as(null, "OPTIONS", preflightPath, null, "Origin", ORIGIN,
                "Access-Control-Request-Method", "PATCH", "Access-Control-Request-Headers", "authorization, content-type");
        assertStatus(preflight, 204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("PATCH");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()).contains("Authorization");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        // an actual call, and its error answers, carry the origin so the page can read them
        HttpResponse<String> missing = as(ada, "GET", preflightPath, null, "Origin", ORIGIN);
        assertStatus(missing, 403);
        assertThat(missing.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertThat(missing.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("ETag");
        HttpResponse<String> login = as(null, "POST", "/v1/projects/shop/auth/anonymous", null, "Origin", ORIGIN);
        assertStatus(login, 201);
        assertThat(login.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
        assertStatus(as(null, "OPTIONS", "/v1/projects/shop/auth/login", null, "Origin", ORIGIN,
                "Access-Control-Request-Method", "POST"), 204);

        // another origin, another project, a route not for browsers: nothing
        assertStatus(as(null, "OPTIONS", preflightPath, null, "Origin", "https://evil.example",
                "Access-Control-Request-Method", "GET"), 403);
        assertThat(as(ada, "GET", preflightPath, null, "Origin", "https://evil.example").headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertStatus(as(null, "OPTIONS", "/v1/projects/other/db/collections/carts/documents/x", null, "Origin", ORIGIN,
                "Access-Control-Request-Method", "GET"), 403);
        assertStatus(as(null, "OPTIONS", SHOP + "/carts", null, "Origin", ORIGIN, "Access-Control-Request-Method", "PUT"), 403);
        assertStatus(as(null, "OPTIONS", "/v1/projects/shop/functions", null, "Origin", ORIGIN,
                "Access-Control-Request-Method", "GET"), 403);
        assertThat(node.send("GET", "/v1/projects/shop/user-settings", null).body()).contains(ORIGIN);
    }

    @Test
    void theBrowserClientIsServedPublicAndCacheable() {
        HttpResponse<String> sdk = as(null, "GET", "/sdk/cumulus.js", null);
        assertStatus(sdk, 200);
        assertThat(sdk.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
        assertThat(sdk.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age");
        assertThat(sdk.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(sdk.body()).contains("export function createClient");
        String etag = sdk.headers().firstValue("ETag").orElseThrow();
        assertStatus(as(null, "GET", "/sdk/cumulus.js", null, "If-None-Match", etag), 304);
    }
}
