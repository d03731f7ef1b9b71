package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small web app over the HTTP API payload 2.0: GET /hello greets from the query string and
 * cookies, GET /pixel answers a binary body, POST /echo returns the (decoded) request body.
 */
public class HttpApi implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final byte[] PIXEL = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String method = event.getRequestContext().getHttp().getMethod();
        String path = event.getRawPath();
        if (method.equals("GET") && path.equals("/hello")) {
            Map<String, String> query = event.getQueryStringParameters();
            List<String> cookies = event.getCookies() == null ? List.of() : event.getCookies();
            String body = "{\"greeting\":\"Hello, " + query.get("name") + "\",\"lang\":\"" + query.get("lang")
                    + "\",\"cookies\":" + json(cookies) + ",\"accept\":\"" + event.getHeaders().get("accept")
                    + "\",\"sourceIp\":\"" + event.getRequestContext().getHttp().getSourceIp()
                    + "\",\"rawQueryString\":\"" + event.getRawQueryString() + "\"}";
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "application/json", "Cache-Control", "no-store"))
                    .withCookies(List.of("visits=" + (visits(cookies) + 1) + "; Path=/", "seen=yes; HttpOnly"))
                    .withBody(body).build();
        }
        if (method.equals("GET") && path.equals("/pixel")) {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "image/png"))
                    .withBody(Base64.getEncoder().encodeToString(PIXEL)).withIsBase64Encoded(true).build();
        }
        if (method.equals("POST") && path.equals("/echo")) {
            byte[] body = event.getIsBase64Encoded() ? Base64.getDecoder().decode(event.getBody())
                    : event.getBody().getBytes(StandardCharsets.UTF_8);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(201)
                    .withHeaders(new TreeMap<>(Map.of("Content-Type",
                            event.getHeaders().getOrDefault("content-type", "application/octet-stream"),
                            "X-Was-Base64", Boolean.toString(event.getIsBase64Encoded()),
                            "X-Length", Integer.toString(body.length))))
                    .withBody(Base64.getEncoder().encodeToString(body)).withIsBase64Encoded(true).build();
        }
        return APIGatewayV2HTTPResponse.builder().withStatusCode(404)
                .withHeaders(Map.of("Content-Type", "text/plain")).withBody("no route " + method + " " + path).build();
    }

    private static int visits(List<String> cookies) {
        for (String cookie : cookies) {
            if (cookie.startsWith("visits=")) {
                return Integer.parseInt(cookie.substring(7));
            }
        }
        return 0;
    }

    private static String json(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            sb.append(sb.length() > 1 ? "," : "").append('"').append(v).append('"');
        }
        return sb.append(']').toString();
    }
}
