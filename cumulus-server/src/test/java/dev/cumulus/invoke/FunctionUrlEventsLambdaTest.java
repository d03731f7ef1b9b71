package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Function URL events are API Gateway HTTP API payload 2.0: checked by binding them with Lambda's
 * own serialiser into aws-lambda-java-events' APIGatewayV2HTTPEvent, and by reading back what
 * that library's response class writes.
 */
class FunctionUrlEventsLambdaTest {
    private static <T> PojoSerializer<T> lambda(Class<T> type) {
        return LambdaEventSerializers.serializerFor(type, FunctionUrlEventsLambdaTest.class.getClassLoader());
    }

    @Test
    void browserRequestBindsToApiGatewayV2HttpEvent() {
        byte[] json = FunctionUrlEvents.toEvent(new FunctionUrlEvents.HttpRequest("GET", "/shop/items",
                "q=red%20shoes&page=2&page=3", List.of(Map.entry("Accept", "text/html,application/xhtml+xml"),
                        Map.entry("Cookie", "session=abc; theme=dark"), Map.entry("User-Agent", "Mozilla/5.0"),
                        Map.entry("Accept-Language", "en-GB,en;q=0.9")),
                new byte[0], "203.0.113.9", "localhost", "HTTP/1.1"), "shop", "req-7",
                Instant.parse("2026-11-27T10:15:30Z"));
        APIGatewayV2HTTPEvent e = lambda(APIGatewayV2HTTPEvent.class).fromJson(new ByteArrayInputStream(json));

        assertThat(e.getVersion()).isEqualTo("2.0");
        assertThat(e.getRouteKey()).isEqualTo("$default");
        assertThat(e.getRawPath()).isEqualTo("/shop/items");
        assertThat(e.getRawQueryString()).isEqualTo("q=red%20shoes&page=2&page=3");
        assertThat(e.getQueryStringParameters()).containsEntry("q", "red shoes").containsEntry("page", "2,3");
        assertThat(e.getCookies()).containsExactly("session=abc", "theme=dark");
        assertThat(e.getHeaders()).containsEntry("accept", "text/html,application/xhtml+xml")
                .containsEntry("accept-language", "en-GB,en;q=0.9").doesNotContainKey("cookie");
        assertThat(e.getIsBase64Encoded()).isFalse();
        assertThat(e.getBody()).isNull();
        APIGatewayV2HTTPEvent.RequestContext c = e.getRequestContext();
        assertThat(c.getHttp().getMethod()).isEqualTo("GET");
        assertThat(c.getHttp().getPath()).isEqualTo("/shop/items");
        assertThat(c.getHttp().getProtocol()).isEqualTo("HTTP/1.1");
        assertThat(c.getHttp().getSourceIp()).isEqualTo("203.0.113.9");
        assertThat(c.getHttp().getUserAgent()).isEqualTo("Mozilla/5.0");
        assertThat(c.getRequestId()).isEqualTo("req-7");
        assertThat(c.getStage()).isEqualTo("$default");
        assertThat(c.getDomainName()).isEqualTo("localhost");
        assertThat(c.getTimeEpoch()).isEqualTo(Instant.parse("2026-11-27T10:15:30Z").toEpochMilli());
        assertThat(c.getTime()).isEqualTo("27/Nov/2026:10:15:30 +0000");
    }

    @Test
    void binaryPostIsBase64AndFlaggedSo() {
        byte[] body = {0, 1, 2, (byte) 0xFF};
        byte[] json = FunctionUrlEvents.toEvent(new FunctionUrlEvents.HttpRequest("POST", "/upload", null,
                List.of(Map.entry("Content-Type", "application/octet-stream")), body, "127.0.0.1", "h", "HTTP/1.1"),
                "f", "r", Instant.EPOCH);
        APIGatewayV2HTTPEvent e = lambda(APIGatewayV2HTTPEvent.class).fromJson(new ByteArrayInputStream(json));
        assertThat(e.getIsBase64Encoded()).isTrue();
        assertThat(Base64.getDecoder().decode(e.getBody())).isEqualTo(body);
    }

    @Test
    void responseWrittenByLambdasSerialiserIsUnderstood() {
        APIGatewayV2HTTPResponse response = APIGatewayV2HTTPResponse.builder().withStatusCode(418)
                .withHeaders(Map.of("Content-Type", "image/png")).withCookies(List.of("a=1; Path=/", "b=2"))
                .withBody(Base64.getEncoder().encodeToString(new byte[] {9, 8, 7})).withIsBase64Encoded(true).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        lambda(APIGatewayV2HTTPResponse.class).toJson(response, out);

        FunctionUrlEvents.HttpResponse http = FunctionUrlEvents.toResponse(out.toByteArray());
        assertThat(http.status()).isEqualTo(418);
        assertThat(http.headers()).containsEntry("content-type", "image/png");
        assertThat(http.cookies()).containsExactly("a=1; Path=/", "b=2");
        assertThat(http.body()).containsExactly(9, 8, 7);
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).contains("\"isBase64Encoded\":true");
    }
}
