package dev.cumulus.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps function URL requests to the event Lambda gives its function URLs (API Gateway HTTP API,
 * payload format 2.0) and the function's answer back to an HTTP response.
 */
public final class FunctionUrlEvents {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private FunctionUrlEvents() {}

    /**
     * Adds the caller an end user's access token proved to an event's {@code requestContext}, in
     * the shape API Gateway's JWT authorizers give it: {@code authorizer.jwt.claims} (each value
     * a string, as there: other JSON values as their JSON text) and {@code authorizer.jwt.scopes}
     * (from a {@code scope} claim; empty without one).
     *
     * @param claims null for a caller without such a token: the event is returned as it is
     */
    public static byte[] withJwtAuthorizer(byte[] event, Map<String, Object> claims) {
        if (claims == null) {
            return event;
        }
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(event);
            ObjectNode jwt = ((ObjectNode) root.get("requestContext")).putObject("authorizer").putObject("jwt");
            ObjectNode values = jwt.putObject("claims");
            for (Map.Entry<String, Object> claim : claims.entrySet()) {
                Object value = claim.getValue() instanceof java.util.Date date ? date.getTime() / 1000 : claim.getValue();
                values.put(claim.getKey(), value instanceof String text ? text : JSON.writeValueAsString(value));
            }
            var scopes = jwt.putArray("scopes");
            if (claims.get("scope") instanceof String scope) {
                for (String s : scope.trim().split("\\s+")) {
                    if (!s.isEmpty()) {
                        scopes.add(s);
                    }
                }
            }
            return JSON.writeValueAsBytes(root);
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("an event this class made is not a JSON object with a requestContext", e);
        }
    }

    /** An HTTP request as it reached {@code /fn/{name}}; {@code rawPath} is what follows the name. */
    public record HttpRequest(
            String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
            byte[] body, String sourceIp, String domainName, String protocol) {}

    /** What to send back. */
    public record HttpResponse(int status, Map<String, String> headers, List<String> cookies, byte[] body) {}

    public static byte[] toEvent(HttpRequest request, String functionName, String requestId, Instant now) {
        return toEvent(request, functionName, "$default", null, requestId, now);
    }

    /**
     * The same event for an API Gateway route: {@code routeKey} is {@code METHOD /path/{param}},
     * {@code pathParameters} what the route's parameters matched (null or empty: none).
     */
    public static byte[] toEvent(HttpRequest request, String apiId, String routeKey, Map<String, String> pathParameters,
            String requestId, Instant now) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", routeKey);
        event.put("rawPath", request.rawPath());
        event.put("rawQueryString", request.rawQuery() == null ? "" : request.rawQuery());

        Map<String, String> headers = new LinkedHashMap<>();
        ArrayNode cookies = JSON.createArrayNode();
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                for (String cookie : header.getValue().split(";")) {
                    if (!cookie.isBlank()) cookies.add(cookie.trim());
                }
            } else {
                headers.merge(name, header.getValue(), (a, b) -> a + "," + b);
            }
        }
        if (!cookies.isEmpty()) event.set("cookies", cookies);
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);

        Map<String, String> query = parseQuery(request.rawQuery());
        if (!query.isEmpty()) {
            ObjectNode queryNode = event.putObject("queryStringParameters");
            query.forEach(queryNode::put);
        }
        if (pathParameters != null && !pathParameters.isEmpty()) {
            ObjectNode params = event.putObject("pathParameters");
            pathParameters.forEach(params::put);
        }

        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "anonymous");
        context.put("apiId", apiId);
        context.put("domainName", request.domainName());
        context.put("domainPrefix", apiId);
        ObjectNode http = context.putObject("http");
        http.put("method", request.method());
        http.put("path", request.rawPath());
        http.put("protocol", request.protocol());
        http.put("sourceIp", request.sourceIp());
        http.put("userAgent", headers.getOrDefault("user-agent", ""));
        context.put("requestId", requestId);
        context.put("routeKey", routeKey);
        context.put("stage", "$default");
        context.put("time", TIME.format(now));
        context.put("timeEpoch", now.toEpochMilli());

        byte[] body = request.body();
        if (body != null && body.length > 0) {
            boolean text = isText(headers.get("content-type"));
            event.put("body", text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body));
            event.put("isBase64Encoded", !text);
        } else {
            event.put("isBase64Encoded", false);
        }
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lambda's rule for function URL answers: an object with {@code statusCode} describes the
     * response; anything else is a 200 whose JSON body is the answer itself. A {@code body} that
     * is not a string is sent as JSON.
     */
    public static HttpResponse toResponse(byte[] payload) {
        JsonNode answer;
        try {
            answer = payload.length == 0 ? null : JSON.readTree(payload);
        } catch (IOException notJson) {
            return new HttpResponse(200, Map.of("content-type", "application/json"), List.of(), payload);
        }
        if (answer == null || !answer.isObject() || !answer.has("statusCode")) {
            return new HttpResponse(200, Map.of("content-type", "application/json"), List.of(), payload);
        }
        return described(answer);
    }

    /** The response an answer object with {@code statusCode} describes. */
    static HttpResponse described(JsonNode answer) {
        int status = answer.path("statusCode").asInt(200);
        if (status < 100 || status > 599) {
            status = 502;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        answer.path("headers").properties().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT),
                e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        List<String> cookies = answer.path("cookies").isArray()
                ? java.util.stream.StreamSupport.stream(answer.path("cookies").spliterator(), false)
                        .map(JsonNode::asText).toList()
                : List.of();
        JsonNode bodyNode = answer.get("body");
        byte[] body;
        if (bodyNode == null || bodyNode.isNull()) {
            body = new byte[0];
        } else if (bodyNode.isTextual()) {
            body = answer.path("isBase64Encoded").asBoolean(false)
                    ? Base64.getDecoder().decode(bodyNode.asText())
                    : bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        } else {
            body = bodyNode.toString().getBytes(StandardCharsets.UTF_8);
            headers.putIfAbsent("content-type", "application/json");
        }
        return new HttpResponse(status, headers, cookies, body);
    }

    static boolean isText(String contentType) {
        if (contentType == null) return true;
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("javascript") || type.startsWith("application/x-www-form-urlencoded");
    }

    /** Repeated keys joined with commas, as the 2.0 event carries them. */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> params = new LinkedHashMap<>();
        parseQueryValues(rawQuery).forEach((key, values) -> params.put(key, String.join(",", values)));
        return params;
    }

    /** Every value of every key, in order; a key without {@code =} has the value "". */
    static Map<String, List<String>> parseQueryValues(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return params;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value);
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
