package dev.cumulus.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The API Gateway REST API proxy event (payload format 1.0) and its answer: for functions
 * written against {@code APIGatewayProxyRequestEvent}.
 */
public final class RestApiEvents {
    private static final ObjectMapper JSON = Json.newMapper();

    private RestApiEvents() {}

    /**
     * @param resource       the route's path pattern, e.g. {@code /users/{id}}
     * @param pathParameters what its parameters matched
     */
    public static byte[] toEvent(FunctionUrlEvents.HttpRequest request, String apiId, String resource,
            Map<String, String> pathParameters, String requestId, Instant now) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "1.0");
        event.put("resource", resource);
        event.put("path", request.rawPath());
        event.put("httpMethod", request.method());

        Map<String, List<String>> multi = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : request.headers()) {
            multi.computeIfAbsent(header.getKey(), k -> new ArrayList<>()).add(header.getValue());
        }
        ObjectNode headers = event.putObject("headers");
        ObjectNode multiHeaders = event.putObject("multiValueHeaders");
        multi.forEach((name, values) -> {
            headers.put(name, values.getLast());
            ArrayNode all = multiHeaders.putArray(name);
            values.forEach(all::add);
        });

        Map<String, List<String>> query = FunctionUrlEvents.parseQueryValues(request.rawQuery());
        if (query.isEmpty()) {
            event.putNull("queryStringParameters");
            event.putNull("multiValueQueryStringParameters");
        } else {
            ObjectNode single = event.putObject("queryStringParameters");
            ObjectNode all = event.putObject("multiValueQueryStringParameters");
            query.forEach((name, values) -> {
                single.put(name, values.getLast());
                ArrayNode list = all.putArray(name);
                values.forEach(list::add);
            });
        }
        if (pathParameters == null || pathParameters.isEmpty()) {
            event.putNull("pathParameters");
        } else {
            ObjectNode params = event.putObject("pathParameters");
            pathParameters.forEach(params::put);
        }
        event.putNull("stageVariables");

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "anonymous");
        context.put("apiId", apiId);
        context.put("domainName", request.domainName());
        context.put("domainPrefix", apiId);
        context.put("extendedRequestId", requestId);
        context.put("httpMethod", request.method());
        ObjectNode identity = context.putObject("identity");
        identity.put("sourceIp", request.sourceIp());
        identity.put("userAgent", firstHeader(request, "user-agent"));
        context.put("path", request.rawPath());
        context.put("protocol", request.protocol());
        context.put("requestId", requestId);
        context.put("requestTime", RequestTimes.format(now));
        context.put("requestTimeEpoch", now.toEpochMilli());
        context.put("resourceId", resource);
        context.put("resourcePath", resource);
        context.put("stage", "$default");

        byte[] body = request.body();
        if (body != null && body.length > 0) {
            boolean text = FunctionUrlEvents.isText(firstHeader(request, "content-type"));
            event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", !text);
        } else {
            event.putNull("body");
            event.put("isBase64Encoded", false);
        }
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The 1.0 answer must be an object with {@code statusCode}; anything else is malformed and
     * the gateway answers 502, as API Gateway does. {@code multiValueHeaders} add to {@code headers}.
     *
     * @return null when the answer is malformed
     */
    public static FunctionUrlEvents.HttpResponse toResponse(byte[] payload) {
        JsonNode answer;
        try {
            answer = payload.length == 0 ? null : JSON.readTree(payload);
        } catch (IOException notJson) {
            return null;
        }
        if (answer == null || !answer.isObject() || !answer.path("statusCode").canConvertToInt()) {
            return null;
        }
        FunctionUrlEvents.HttpResponse mapped = FunctionUrlEvents.described(answer);
        Map<String, String> headers = new LinkedHashMap<>(mapped.headers());
        answer.path("multiValueHeaders").properties().forEach(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            if (!values.isEmpty()) headers.put(e.getKey().toLowerCase(Locale.ROOT), String.join(",", values));
        });
        return new FunctionUrlEvents.HttpResponse(mapped.status(), headers, mapped.cookies(), mapped.body());
    }

    private static String firstHeader(FunctionUrlEvents.HttpRequest request, String name) {
        for (Map.Entry<String, String> header : request.headers()) {
            if (header.getKey().equalsIgnoreCase(name)) return header.getValue();
        }
        return "";
    }

}
