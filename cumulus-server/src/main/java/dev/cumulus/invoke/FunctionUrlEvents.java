package dev.cumulus.invoke;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
    private static final ObjectMapper JSON = Json.newMapper();

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

    /**
     * The end user an access token proved, as the Cognito identity Lambda gives a function's
     * Context ({@code Lambda-Runtime-Cognito-Identity}; {@code Context.user()} in Java):
     * {@code cognitoIdentityId} the user id, {@code cognitoIdentityPoolId}
     * {@code cumulus:project:<project>}, {@code email} and every claim (times as epoch seconds).
     *
     * @param claims null for a caller without such a token: then null
     */
    public static String cognitoIdentity(String project, Map<String, Object> claims) {
        if (claims == null) {
            return null;
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("cognitoIdentityId", String.valueOf(claims.get("sub")));
        doc.put("cognitoIdentityPoolId", "cumulus:project:" + project);
        doc.put("email", claims.get("email"));
        Map<String, Object> plain = new LinkedHashMap<>();
        claims.forEach((k, v) -> plain.put(k, v instanceof java.util.Date date ? date.getTime() / 1000 : v));
        doc.put("claims", plain);
        try {
            return JSON.writeValueAsString(doc);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("verified claims are plain JSON values", e);
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
     *
     * <p>Written with a streaming generator, straight from the request's headers: no tree and no
     * map of headers is built per invocation (this is the function URL's warm path, issue 12).
     * Headers are named in lower case and repeated ones joined with commas, as Lambda does;
     * {@code cookie} headers become the {@code cookies} array.
     */
    public static byte[] toEvent(HttpRequest request, String apiId, String routeKey, Map<String, String> pathParameters,
            String requestId, Instant now) {
        List<Map.Entry<String, String>> fields = request.headers();
        int count = fields.size();
        String[] names = new String[count];
        String contentType = null;
        String userAgent = null;
        boolean anyCookie = false;
        for (int i = 0; i < count; i++) {
            String name = fields.get(i).getKey().toLowerCase(Locale.ROOT);
            names[i] = name;
            switch (name) {
                case "cookie" -> anyCookie = true;
                case "content-type" -> contentType = contentType == null ? fields.get(i).getValue()
                        : contentType + "," + fields.get(i).getValue();
                case "user-agent" -> userAgent = userAgent == null ? fields.get(i).getValue()
                        : userAgent + "," + fields.get(i).getValue();
                default -> {
                    // only the two above are read by the node
                }
            }
        }
        ByteArrayBuilder out = new ByteArrayBuilder(1024);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("version", "2.0");
            g.writeStringField("routeKey", routeKey);
            g.writeStringField("rawPath", request.rawPath());
            g.writeStringField("rawQueryString", request.rawQuery() == null ? "" : request.rawQuery());
            if (anyCookie) {
                boolean opened = false;
                for (int i = 0; i < count; i++) {
                    if (!names[i].equals("cookie")) continue;
                    for (String cookie : fields.get(i).getValue().split(";")) {
                        if (cookie.isBlank()) continue;
                        if (!opened) {
                            g.writeArrayFieldStart("cookies");
                            opened = true;
                        }
                        g.writeString(cookie.trim());
                    }
                }
                if (opened) g.writeEndArray();
            }
            g.writeObjectFieldStart("headers");
            for (int i = 0; i < count; i++) {
                String name = names[i];
                if (name.equals("cookie") || firstIndexOf(names, name) < i) continue; // written with its first
                String value = fields.get(i).getValue();
                int next = nextIndexOf(names, name, i);
                if (next < 0) {
                    g.writeStringField(name, value);
                } else {
                    StringBuilder joined = new StringBuilder(value);
                    for (int j = next; j >= 0; j = nextIndexOf(names, name, j)) {
                        joined.append(',').append(fields.get(j).getValue());
                    }
                    g.writeStringField(name, joined.toString());
                }
            }
            g.writeEndObject();

            String rawQuery = request.rawQuery();
            if (rawQuery != null && !rawQuery.isEmpty()) {
                Map<String, String> query = parseQuery(rawQuery);
                if (!query.isEmpty()) {
                    g.writeObjectFieldStart("queryStringParameters");
                    for (Map.Entry<String, String> q : query.entrySet()) g.writeStringField(q.getKey(), q.getValue());
                    g.writeEndObject();
                }
            }
            if (pathParameters != null && !pathParameters.isEmpty()) {
                g.writeObjectFieldStart("pathParameters");
                for (Map.Entry<String, String> p : pathParameters.entrySet()) g.writeStringField(p.getKey(), p.getValue());
                g.writeEndObject();
            }

            g.writeObjectFieldStart("requestContext");
            g.writeStringField("accountId", "anonymous");
            g.writeStringField("apiId", apiId);
            g.writeStringField("domainName", request.domainName());
            g.writeStringField("domainPrefix", apiId);
            g.writeObjectFieldStart("http");
            g.writeStringField("method", request.method());
            g.writeStringField("path", request.rawPath());
            g.writeStringField("protocol", request.protocol());
            g.writeStringField("sourceIp", request.sourceIp());
            g.writeStringField("userAgent", userAgent == null ? "" : userAgent);
            g.writeEndObject();
            g.writeStringField("requestId", requestId);
            g.writeStringField("routeKey", routeKey);
            g.writeStringField("stage", "$default");
            g.writeStringField("time", RequestTimes.format(now));
            g.writeNumberField("timeEpoch", now.toEpochMilli());
            g.writeEndObject();

            byte[] body = request.body();
            if (body != null && body.length > 0) {
                boolean text = isText(contentType);
                g.writeStringField("body", text ? new String(body, StandardCharsets.UTF_8)
                        : Base64.getEncoder().encodeToString(body));
                g.writeBooleanField("isBase64Encoded", !text);
            } else {
                g.writeBooleanField("isBase64Encoded", false);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static int firstIndexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) return i;
        }
        return -1;
    }

    private static int nextIndexOf(String[] names, String name, int after) {
        for (int i = after + 1; i < names.length; i++) {
            if (names[i].equals(name)) return i;
        }
        return -1;
    }

    /**
     * Lambda's rule for function URL answers: an object with {@code statusCode} describes the
     * response; anything else is a 200 whose JSON body is the answer itself. A {@code body} that
     * is not a string is sent as JSON.
     */
    public static HttpResponse toResponse(byte[] payload) {
        if (!describesResponse(payload)) {
            // the common answer: no tree is built for it, the bytes go out as they came
            return new HttpResponse(200, Map.of("content-type", "application/json"), List.of(), payload);
        }
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

    /**
     * Whether {@code payload} is a JSON object with a top-level {@code statusCode}: read with a
     * streaming parser, skipping every other value, so a plain answer costs no tree.
     */
    static boolean describesResponse(byte[] payload) {
        if (payload.length == 0) {
            return false;
        }
        try (JsonParser p = JSON.getFactory().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.currentName().equals("statusCode")) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        } catch (IOException notJson) {
            return false;
        }
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
