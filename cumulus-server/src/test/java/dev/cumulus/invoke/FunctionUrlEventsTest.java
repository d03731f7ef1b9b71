package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP API payload 2.0 mapping that function URLs use, both ways. */
class FunctionUrlEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void requestBecomesAnHttpApiV2Event() throws Exception {
        byte[] event = FunctionUrlEvents.toEvent(new FunctionUrlEvents.HttpRequest("PUT", "/items/7",
                "a=1&b=x%20y&a=2", List.of(Map.entry("Content-Type", "application/json"),
                        Map.entry("X-Multi", "1"), Map.entry("x-multi", "2"), Map.entry("Cookie", "s=1; t=2"),
                        Map.entry("User-Agent", "curl/8")),
                "{\"k\":1}".getBytes(StandardCharsets.UTF_8), "10.0.0.9", "localhost", "HTTP/1.1"),
                "shop", "req-1", Instant.parse("2026-11-27T10:15:30Z"));
        JsonNode e = JSON.readTree(event);
        assertThat(e.get("version").asText()).isEqualTo("2.0");
        assertThat(e.get("routeKey").asText()).isEqualTo("$default");
        assertThat(e.get("rawPath").asText()).isEqualTo("/items/7");
        assertThat(e.get("rawQueryString").asText()).isEqualTo("a=1&b=x%20y&a=2");
        assertThat(e.at("/queryStringParameters/a").asText()).isEqualTo("1,2");
        assertThat(e.at("/queryStringParameters/b").asText()).isEqualTo("x y");
        assertThat(e.at("/headers/x-multi").asText()).isEqualTo("1,2");
        assertThat(e.at("/headers/content-type").asText()).isEqualTo("application/json");
        assertThat(e.at("/headers/cookie").isMissingNode()).isTrue();
        assertThat(e.get("cookies")).extracting(JsonNode::asText).containsExactly("s=1", "t=2");
        assertThat(e.at("/requestContext/http/method").asText()).isEqualTo("PUT");
        assertThat(e.at("/requestContext/http/path").asText()).isEqualTo("/items/7");
        assertThat(e.at("/requestContext/http/sourceIp").asText()).isEqualTo("10.0.0.9");
        assertThat(e.at("/requestContext/http/userAgent").asText()).isEqualTo("curl/8");
        assertThat(e.at("/requestContext/requestId").asText()).isEqualTo("req-1");
        assertThat(e.at("/requestContext/timeEpoch").asLong()).isEqualTo(Instant.parse("2026-11-27T10:15:30Z").toEpochMilli());
        assertThat(e.at("/requestContext/time").asText()).isEqualTo("27/Nov/2026:10:15:30 +0000");
        assertThat(e.get("body").asText()).isEqualTo("{\"k\":1}");
        assertThat(e.get("isBase64Encoded").asBoolean()).isFalse();
    }

    @Test
    void binaryBodiesAreBase64() throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1};
        JsonNode e = JSON.readTree(FunctionUrlEvents.toEvent(new FunctionUrlEvents.HttpRequest("POST", "/", null,
                List.of(Map.entry("content-type", "image/png")), png, "127.0.0.1", "h", "HTTP/1.1"),
                "f", "r", Instant.EPOCH));
        assertThat(e.get("isBase64Encoded").asBoolean()).isTrue();
        assertThat(Base64.getDecoder().decode(e.get("body").asText())).isEqualTo(png);
        assertThat(e.get("rawQueryString").asText()).isEmpty();
        assertThat(e.has("queryStringParameters")).isFalse();
    }

    @Test
    void structuredAnswerSetsStatusHeadersCookiesAndBody() {
        FunctionUrlEvents.HttpResponse r = FunctionUrlEvents.toResponse(("{\"statusCode\":404,\"headers\":"
                + "{\"X-Thing\":\"a\"},\"cookies\":[\"c=1\"],\"body\":\"not here\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers()).containsEntry("x-thing", "a");
        assertThat(r.cookies()).containsExactly("c=1");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("not here");
    }

    @Test
    void base64AnswerIsDecoded() {
        FunctionUrlEvents.HttpResponse r = FunctionUrlEvents.toResponse(
                "{\"statusCode\":200,\"isBase64Encoded\":true,\"body\":\"AAEC\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.body()).containsExactly(0, 1, 2);
    }

    @Test
    void plainValueIsA200WithAJsonBody() {
        FunctionUrlEvents.HttpResponse r = FunctionUrlEvents.toResponse("{\"hello\":\"world\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"hello\":\"world\"}");

        FunctionUrlEvents.HttpResponse s = FunctionUrlEvents.toResponse("\"just text\"".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(s.body(), StandardCharsets.UTF_8)).isEqualTo("\"just text\"");
    }

    @Test
    void nonStringBodyIsSentAsJsonAndBadStatusIs502() {
        FunctionUrlEvents.HttpResponse r = FunctionUrlEvents.toResponse(
                "{\"statusCode\":201,\"body\":{\"id\":3}}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":3}");
        assertThat(r.headers()).containsEntry("content-type", "application/json");
        assertThat(FunctionUrlEvents.toResponse("{\"statusCode\":42}".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(502);
    }

    @Test
    void onlyATopLevelStatusCodeDescribesTheResponse() {
        byte[] nested = "{\"data\":{\"statusCode\":500,\"list\":[{\"statusCode\":1}]},\"n\":[1,2]}"
                .getBytes(StandardCharsets.UTF_8);
        FunctionUrlEvents.HttpResponse r = FunctionUrlEvents.toResponse(nested);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isSameAs(nested);

        FunctionUrlEvents.HttpResponse after = FunctionUrlEvents.toResponse(
                "{\"meta\":{\"statusCode\":1},\"statusCode\":418,\"body\":\"tea\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(after.status()).isEqualTo(418);
        assertThat(new String(after.body(), StandardCharsets.UTF_8)).isEqualTo("tea");

        byte[] broken = "{\"statusCode\":201, oops".getBytes(StandardCharsets.UTF_8);
        assertThat(FunctionUrlEvents.toResponse(broken).status()).as("not JSON: sent as it came").isEqualTo(200);
        assertThat(FunctionUrlEvents.toResponse(new byte[0]).status()).isEqualTo(200);
    }

    @Test
    void repeatedHeadersAreJoinedInTheirFirstPlaceAndEveryCookieHeaderCounts() throws Exception {
        JsonNode e = JSON.readTree(FunctionUrlEvents.toEvent(new FunctionUrlEvents.HttpRequest("GET", "/", "",
                List.of(Map.entry("Accept", "a"), Map.entry("Cookie", "x=1"), Map.entry("X-B", "b"),
                        Map.entry("accept", "c"), Map.entry("cookie", " ; y=2"), Map.entry("ACCEPT", "d")),
                null, "127.0.0.1", "h", "HTTP/1.1"), "f", "r", Instant.EPOCH));
        assertThat(e.get("headers").properties()).extracting(Map.Entry::getKey).containsExactly("accept", "x-b");
        assertThat(e.at("/headers/accept").asText()).isEqualTo("a,c,d");
        assertThat(e.get("cookies")).extracting(JsonNode::asText).containsExactly("x=1", "y=2");
        assertThat(e.at("/requestContext/http/userAgent").asText()).isEmpty();
        assertThat(e.has("body")).isFalse();
        assertThat(e.has("queryStringParameters")).isFalse();
    }
}
