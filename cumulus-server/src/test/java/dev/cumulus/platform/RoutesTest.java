package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP routes under /api on a real node, with a real function that echoes the event it got. */
class RoutesTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
        node.deploy("event-echo", "dev.cumulus.testfn.EventEcho", Map.of());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Adds a route, public unless it says otherwise (routes default to {@code auth: token}). */
    static JsonNode addRoute(Map<String, Object> route) {
        Map<String, Object> body = new java.util.HashMap<>(route);
        body.putIfAbsent("auth", "none");
        HttpResponse<String> response = node.send("POST", "/v1/routes", TestNode.write(body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return TestNode.json(response);
    }

    static HttpResponse<String> call(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return node.exchange(request.build());
    }

    @Test
    void pathParametersReachTheFunctionInPayloadFormat2() {
        addRoute(Map.of("method", "GET", "path", "/users/{id}/posts/{postId}", "function", "event-echo"));

        HttpResponse<String> response = call("GET", "/api/users/42/posts/a%20b?x=1", null, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode event = TestNode.json(response);
        assertThat(event.get("version").asText()).isEqualTo("2.0");
        assertThat(event.get("routeKey").asText()).isEqualTo("GET /users/{id}/posts/{postId}");
        assertThat(event.get("requestContext").get("routeKey").asText()).isEqualTo("GET /users/{id}/posts/{postId}");
        assertThat(event.get("pathParameters").get("id").asText()).isEqualTo("42");
        assertThat(event.get("pathParameters").get("postId").asText()).isEqualTo("a b");
        assertThat(event.get("rawPath").asText()).isEqualTo("/users/42/posts/a%20b");
        assertThat(event.get("queryStringParameters").get("x").asText()).isEqualTo("1");
        assertThat(event.get("requestContext").get("http").get("method").asText()).isEqualTo("GET");
        assertThat(response.headers().firstValue("X-Cumulus-Request-Id")).hasValue(
                event.get("requestContext").get("requestId").asText());
    }

    @Test
    void payloadFormat1GivesTheRestApiProxyEvent() {
        addRoute(Map.of("method", "POST", "path", "/orders/{orderId}", "function", "event-echo", "payloadFormat", "1.0"));

        HttpResponse<String> response = call("POST", "/api/orders/o-7?tag=a&tag=b", "{\"qty\":2}",
                Map.of("Content-Type", "application/json", "X-Custom", "v"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode event = TestNode.json(response);
        assertThat(event.get("version").asText()).isEqualTo("1.0");
        assertThat(event.get("resource").asText()).isEqualTo("/orders/{orderId}");
        assertThat(event.get("path").asText()).isEqualTo("/orders/o-7");
        assertThat(event.get("httpMethod").asText()).isEqualTo("POST");
        assertThat(event.get("pathParameters").get("orderId").asText()).isEqualTo("o-7");
        assertThat(event.get("queryStringParameters").get("tag").asText()).isEqualTo("b");
        assertThat(event.get("multiValueQueryStringParameters").get("tag")).extracting(JsonNode::asText).containsExactly("a", "b");
        assertThat(event.get("headers").get("X-Custom").asText()).isEqualTo("v");
        assertThat(event.get("multiValueHeaders").get("X-Custom").get(0).asText()).isEqualTo("v");
        assertThat(event.get("body").asText()).isEqualTo("{\"qty\":2}");
        assertThat(event.get("isBase64Encoded").asBoolean()).isFalse();
        assertThat(event.get("requestContext").get("resourcePath").asText()).isEqualTo("/orders/{orderId}");
        assertThat(event.get("requestContext").get("httpMethod").asText()).isEqualTo("POST");
        assertThat(event.has("routeKey")).isFalse();
    }

    @Test
    void greedyPathTakesTheRest() {
        addRoute(Map.of("method", "ANY", "path", "/static/{proxy+}", "function", "event-echo"));

        HttpResponse<String> response = call("DELETE", "/api/static/css/site.css", null, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode event = TestNode.json(response);
        assertThat(event.get("pathParameters").get("proxy").asText()).isEqualTo("css/site.css");
        assertThat(event.get("routeKey").asText()).isEqualTo("ANY /static/{proxy+}");
        assertThat(call("GET", "/api/static", null, Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void corsPreflightIsAnsweredByTheGateway() {
        addRoute(Map.of("method", "PUT", "path", "/profile", "function", "event-echo",
                "cors", Map.of("allowOrigins", List.of("https://app.example"), "allowMethods", List.of("GET", "PUT"),
                        "allowHeaders", List.of("Content-Type", "X-Token"), "exposeHeaders", List.of("X-Cumulus-Request-Id"),
                        "maxAgeSeconds", 600, "allowCredentials", true)));

        HttpResponse<String> preflight = call("OPTIONS", "/api/profile", null, Map.of("Origin", "https://app.example",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "content-type, x-token"));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, PUT");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("Content-Type, X-Token");
        assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");

        HttpResponse<String> otherOrigin = call("OPTIONS", "/api/profile", null, Map.of("Origin", "https://evil.example",
                "Access-Control-Request-Method", "PUT"));
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        assertThat(otherOrigin.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(TestNode.json(otherOrigin).get("error").asText()).isEqualTo("CorsRejected");

        HttpResponse<String> badHeader = call("OPTIONS", "/api/profile", null, Map.of("Origin", "https://app.example",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-other"));
        assertThat(badHeader.statusCode()).isEqualTo(403);

        HttpResponse<String> actual = call("PUT", "/api/profile", "{}", Map.of("Origin", "https://app.example"));
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(actual.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(actual.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Cumulus-Request-Id");
    }

    @Test
    void unknownRouteIs404AndAWrongMethodIs405WithAllow() {
        addRoute(Map.of("method", "GET", "path", "/items", "function", "event-echo"));
        addRoute(Map.of("method", "POST", "path", "/items", "function", "event-echo"));

        HttpResponse<String> unknown = call("GET", "/api/nothing/here", null, Map.of());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(unknown).get("error").asText()).isEqualTo("RouteNotFound");

        HttpResponse<String> wrong = call("DELETE", "/api/items", null, Map.of());
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(TestNode.json(wrong).get("error").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    void aThrottledRouteAnswers429WithRetryAfter() {
        // one token per 100 s: the bucket cannot refill between the calls
        addRoute(Map.of("method", "GET", "path", "/limited", "function", "event-echo",
                "throttle", Map.of("rate", 0.01, "burst", 2)));

        assertThat(call("GET", "/api/limited", null, Map.of()).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/limited", null, Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> third = call("GET", "/api/limited", null, Map.of());

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(TestNode.json(third).get("error").asText()).isEqualTo("TooManyRequests");
        assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 100L);
    }

    @Test
    void aTokenRouteNeedsTheTokenAndHidesItFromTheFunction() {
        addRoute(Map.of("method", "GET", "path", "/private", "function", "event-echo", "auth", "token"));

        HttpResponse<String> anonymous = call("GET", "/api/private", null, Map.of());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> authorised = call("GET", "/api/private", null,
                Map.of("Authorization", "Bearer " + node.platform.rootToken()));
        assertThat(authorised.statusCode()).isEqualTo(200);
        assertThat(TestNode.json(authorised).get("headers").has("authorization")).isFalse();
    }

    @Test
    void routesAreListedFetchedAndDeleted() {
        HttpResponse<String> created = node.send("POST", "/v1/routes",
                TestNode.write(Map.of("method", "GET", "path", "/temp/{x}", "function", "event-echo")));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode route = TestNode.json(created);
        String id = route.get("id").asText();
        assertThat(route.get("payloadFormat").asText()).isEqualTo("2.0");
        assertThat(route.get("auth").asText()).as("secure by default").isEqualTo("token");
        assertThat(route.get("url").asText()).isEqualTo("/api/temp/{x}");
        assertThat(TestNode.json(node.send("GET", "/v1/routes", null)).get("routes"))
                .extracting(r -> r.get("id").asText()).contains(id);
        assertThat(TestNode.json(node.send("GET", "/v1/routes/" + id, null)).get("path").asText()).isEqualTo("/temp/{x}");
        Map<String, String> token = Map.of("Authorization", "Bearer " + node.platform.rootToken());
        assertThat(call("GET", "/api/temp/1", null, Map.of()).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/temp/1", null, token).statusCode()).isEqualTo(200);

        assertThat(node.send("DELETE", "/v1/routes/" + id, null).statusCode()).isEqualTo(204);
        assertThat(node.send("GET", "/v1/routes/" + id, null).statusCode()).isEqualTo(404);
        assertThat(node.send("DELETE", "/v1/routes/" + id, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/temp/1", null, token).statusCode()).as("the cached table was dropped").isEqualTo(404);
        assertThat(node.send("GET", "/v1/routes", null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void badRoutesAreRefusedPrecisely() {
        record Bad(Map<String, Object> body, int status, String code) {}
        addRoute(Map.of("method", "GET", "path", "/taken/{a}", "function", "event-echo"));
        for (Bad bad : List.of(
                new Bad(Map.of("method", "GET", "path", "no-slash", "function", "event-echo"), 400, "InvalidPath"),
                new Bad(Map.of("method", "GET", "path", "/a/{p+}/b", "function", "event-echo"), 400, "InvalidPath"),
                new Bad(Map.of("method", "GET", "path", "/a/../b", "function", "event-echo"), 400, "InvalidPath"),
                new Bad(Map.of("method", "GET", "path", "/./a", "function", "event-echo"), 400, "InvalidPath"),
                new Bad(Map.of("method", "GET", "path", "/a/%2e%2e/b", "function", "event-echo"), 400, "InvalidPath"),
                new Bad(Map.of("method", "FETCH", "path", "/a", "function", "event-echo"), 400, "InvalidMethod"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "nope"), 400, "UnknownFunction"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo:9"), 400, "UnknownFunction"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo", "payloadFormat", "3.0"), 400, "InvalidPayloadFormat"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo", "auth", "iam"), 400, "InvalidAuth"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo", "throttle", Map.of("rate", 0, "burst", 1)), 400, "InvalidThrottle"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo",
                        "cors", Map.of("allowOrigins", List.of("*"), "allowCredentials", true)), 400, "InvalidCors"),
                new Bad(Map.of("method", "GET", "path", "/a", "function", "event-echo", "colour", "red"), 400, "UnknownField"),
                new Bad(Map.of("path", "/a", "function", "event-echo"), 400, "MissingField"),
                new Bad(Map.of("method", "GET", "path", "/taken/{b}", "function", "event-echo"), 409, "RouteExists"))) {
            HttpResponse<String> response = node.send("POST", "/v1/routes", TestNode.write(bad.body()));
            assertThat(response.statusCode()).as(bad.toString() + " -> " + response.body()).isEqualTo(bad.status());
            assertThat(TestNode.json(response).get("error").asText()).as(response.body()).isEqualTo(bad.code());
        }
        assertThat(node.send("POST", "/v1/routes", "{not json").statusCode()).isEqualTo(400);
    }
}
