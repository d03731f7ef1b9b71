package dev.cumulus.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/** Turns a {@code POST /v1/routes} body into a valid route, or a 400 that names the field. */
final class RouteRequests {
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", RouteMatcher.ANY);
    private static final Set<String> FIELDS = Set.of("method", "path", "function", "payloadFormat", "auth", "cors", "throttle");
    private static final Set<String> CORS_FIELDS = Set.of("allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders",
            "maxAgeSeconds", "allowCredentials");
    static final double MAX_RATE = 1_000_000;
    static final int MAX_BURST = 1_000_000;

    private RouteRequests() {}

    /** @param functionExists whether {@code NAME} or {@code NAME:QUALIFIER} resolves */
    static Route parse(JsonNode body, String id, String project, Instant now, Predicate<String> functionExists) {
        unknownFields(body, FIELDS, "");
        String method = text(body, "method", true).toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw bad("InvalidMethod", "'method' must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or ANY, got " + method);
        }
        String path = text(body, "path", true);
        PathPattern.parse(path);
        String function = text(body, "function", true);
        if (!function.matches("[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,64})?")) {
            throw bad("InvalidFunction", "'function' must be NAME or NAME:QUALIFIER, got " + function);
        }
        if (!functionExists.test(function)) {
            throw bad("UnknownFunction", "function " + function + " does not exist");
        }
        String format = body.has("payloadFormat") ? text(body, "payloadFormat", true) : "2.0";
        Route.PayloadFormat payloadFormat = Route.PayloadFormat.of(format);
        if (payloadFormat == null) {
            throw bad("InvalidPayloadFormat", "'payloadFormat' must be \"1.0\" or \"2.0\", got " + format);
        }
        // secure by default: a route is public only when it says so
        String authText = body.has("auth") ? text(body, "auth", true) : "token";
        Route.Auth auth = switch (authText.toLowerCase(Locale.ROOT)) {
            case "none" -> Route.Auth.NONE;
            case "token" -> Route.Auth.TOKEN;
            case "user" -> Route.Auth.USER;
            default -> throw bad("InvalidAuth", "'auth' must be \"none\", \"token\" or \"user\", got " + authText);
        };
        return new Route(id, project, method, path, function, payloadFormat, auth, cors(body.get("cors")),
                throttle(body.get("throttle")), now);
    }

    private static Route.Cors cors(JsonNode cors) {
        if (cors == null || cors.isNull()) {
            return null;
        }
        if (!cors.isObject()) {
            throw bad("InvalidCors", "'cors' must be an object");
        }
        unknownFields(cors, CORS_FIELDS, "cors.");
        List<String> origins = strings(cors, "allowOrigins");
        if (origins.isEmpty()) {
            throw bad("InvalidCors", "'cors.allowOrigins' needs at least one origin (or \"*\")");
        }
        for (String origin : origins) {
            if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
                throw bad("InvalidCors", "'cors.allowOrigins' entries must be \"*\" or scheme://host[:port], got " + origin);
            }
        }
        List<String> methods = strings(cors, "allowMethods").stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
        for (String m : methods) {
            if (!m.equals("*") && !METHODS.contains(m)) {
                throw bad("InvalidCors", "'cors.allowMethods' has an unknown method " + m);
            }
        }
        List<String> headers = strings(cors, "allowHeaders");
        List<String> expose = strings(cors, "exposeHeaders");
        for (String h : concat(headers, expose)) {
            if (!h.equals("*") && !h.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw bad("InvalidCors", "'" + h + "' is not a header name");
            }
        }
        int maxAge = 0;
        if (cors.has("maxAgeSeconds")) {
            JsonNode n = cors.get("maxAgeSeconds");
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0 || n.asInt() > 86_400) {
                throw bad("InvalidCors", "'cors.maxAgeSeconds' must be a whole number from 0 to 86400");
            }
            maxAge = n.asInt();
        }
        boolean credentials = false;
        if (cors.has("allowCredentials")) {
            if (!cors.get("allowCredentials").isBoolean()) {
                throw bad("InvalidCors", "'cors.allowCredentials' must be true or false");
            }
            credentials = cors.get("allowCredentials").asBoolean();
        }
        if (credentials && origins.contains("*")) {
            throw bad("InvalidCors", "'cors.allowCredentials' cannot go with the origin \"*\": browsers refuse it; list the origins");
        }
        return new Route.Cors(origins, methods, headers, expose, maxAge, credentials);
    }

    private static Route.Throttle throttle(JsonNode throttle) {
        if (throttle == null || throttle.isNull()) {
            return null;
        }
        if (!throttle.isObject()) {
            throw bad("InvalidThrottle", "'throttle' must be an object with 'rate' and 'burst'");
        }
        unknownFields(throttle, Set.of("rate", "burst"), "throttle.");
        JsonNode rate = throttle.get("rate");
        JsonNode burst = throttle.get("burst");
        if (rate == null || !rate.isNumber() || !(rate.asDouble() > 0) || rate.asDouble() > MAX_RATE) {
            throw bad("InvalidThrottle", "'throttle.rate' must be a number of requests per second above 0 and at most " + (long) MAX_RATE);
        }
        if (burst == null || !burst.isIntegralNumber() || burst.asLong() < 1 || burst.asLong() > MAX_BURST) {
            throw bad("InvalidThrottle", "'throttle.burst' must be a whole number from 1 to " + MAX_BURST);
        }
        return new Route.Throttle(rate.asDouble(), burst.asInt());
    }

    private static List<String> strings(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw bad("InvalidCors", "'cors." + field + "' must be a list of strings");
        }
        List<String> values = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw bad("InvalidCors", "'cors." + field + "' must be a list of non-empty strings");
            }
            if (seen.add(item.asText())) values.add(item.asText());
        }
        return values;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) throw bad("MissingField", "'" + field + "' is required");
            return null;
        }
        if (!node.isTextual()) {
            throw bad("InvalidField", "'" + field + "' must be a string");
        }
        return node.asText();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw bad("UnknownField", "unknown field '" + prefix + name + "'; known: " + String.join(", ", known.stream().sorted().toList()));
            }
        });
    }

    private static ApiException bad(String code, String message) {
        return ApiException.badRequest(code, message);
    }
}
