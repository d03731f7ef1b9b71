package dev.cumulus.edge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.sandbox.Egress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the body of {@code PUT /v1/functions/{name}} onto a configuration: defaults on create,
 * the current values for fields left out on update. Types are checked here; ranges and names
 * are the registry's to check.
 */
final class FunctionSettings {
    private static final Set<String> FIELDS = Set.of("runtime", "handler", "memoryMb", "timeoutSeconds",
            "environment", "maxInstances", "concurrency", "keepAliveSeconds", "public", "codeSha256", "name",
            "provisionedConcurrency", "mounts", "async", "network", "role", "codeSignature", "urlAuth");
    private static final Set<String> ASYNC_FIELDS = Set.of("maxRetries", "maxEventAgeSeconds", "onSuccess", "onFailure");

    private FunctionSettings() {}

    static FunctionConfig apply(String name, JsonNode body, FunctionConfig current) {
        body.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field + "'");
            }
        });
        if (body.hasNonNull("name") && !body.get("name").asText().equals(name)) {
            throw ApiException.badRequest("InvalidParameter", "the body names another function than the path");
        }
        FunctionConfig base = current != null ? current : FunctionConfig.defaults(name, null);
        if (base.handler() == null && !body.hasNonNull("handler")) {
            throw ApiException.badRequest("InvalidHandler", "'handler' is required, e.g. com.example.Hello");
        }
        return new FunctionConfig(
                name,
                text(body, "runtime", base.runtime()),
                text(body, "handler", base.handler()),
                integer(body, "memoryMb", base.memoryMb()),
                integer(body, "timeoutSeconds", base.timeoutSeconds()),
                environment(body, base.environment()),
                integer(body, "maxInstances", base.maxInstances()),
                integer(body, "concurrency", base.concurrency()),
                body.has("keepAliveSeconds") ? nullableInteger(body, "keepAliveSeconds") : base.keepAliveSeconds(),
                false, // follows urlAuth

                integer(body, "provisionedConcurrency", base.provisionedConcurrency()),
                mounts(body, base.mounts()),
                async(body, base.async()),
                body.has("role") ? nullableText(body, "role", "role") : base.role(),
                network(body, base.egress()),
                urlAuth(body, base.urlAuth()));
    }

    /**
     * {@code urlAuth} ({@code "token"}, {@code "none"} or {@code "user"}), or the older
     * {@code public} (true: none, false: token); both given must agree.
     */
    private static FunctionConfig.UrlAuth urlAuth(JsonNode body, FunctionConfig.UrlAuth base) {
        FunctionConfig.UrlAuth fromPublic = body.has("public")
                ? (bool(body, "public", false) ? FunctionConfig.UrlAuth.NONE : FunctionConfig.UrlAuth.TOKEN) : null;
        JsonNode node = body.get("urlAuth");
        if (node == null) {
            return fromPublic != null ? fromPublic : base;
        }
        String expected = "\"token\", \"none\" or \"user\"";
        if (!node.isTextual()) throw invalid("urlAuth", expected);
        FunctionConfig.UrlAuth given = switch (node.asText()) {
            case "token" -> FunctionConfig.UrlAuth.TOKEN;
            case "none" -> FunctionConfig.UrlAuth.NONE;
            case "user" -> FunctionConfig.UrlAuth.USER;
            default -> throw invalid("urlAuth", expected);
        };
        if (fromPublic != null && fromPublic != given) {
            throw ApiException.badRequest("InvalidParameter", "'public' and 'urlAuth' disagree: give one of them");
        }
        return given;
    }

    /** {@code async} merges like the top level: fields left out keep their values, null clears a destination. */
    private static AsyncConfig async(JsonNode body, AsyncConfig base) {
        JsonNode node = body.get("async");
        if (node == null) return base;
        if (node.isNull()) return AsyncConfig.DEFAULTS;
        if (!node.isObject()) throw invalid("async", "an object");
        node.fieldNames().forEachRemaining(field -> {
            if (!ASYNC_FIELDS.contains(field)) {
                throw ApiException.badRequest("InvalidParameter", "unknown field 'async." + field + "'");
            }
        });
        return new AsyncConfig(
                integer(node, "maxRetries", "async.maxRetries", base.maxRetries()),
                integer(node, "maxEventAgeSeconds", "async.maxEventAgeSeconds", base.maxEventAgeSeconds()),
                node.has("onSuccess") ? nullableText(node, "onSuccess", "async.onSuccess") : base.onSuccess(),
                node.has("onFailure") ? nullableText(node, "onFailure", "async.onFailure") : base.onFailure());
    }

    private static String nullableText(JsonNode body, String field, String label) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw invalid(label, "a string or null");
        return node.asText();
    }

    static String codeSha256(JsonNode body) {
        JsonNode node = body.get("codeSha256");
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw invalid("codeSha256", "a string");
        return node.asText();
    }

    /** The deploy's detached signature over the package's SHA-256 (base64), or null. */
    static String codeSignature(JsonNode body) {
        JsonNode node = body.get("codeSignature");
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw invalid("codeSignature", "a base64 string");
        return node.asText();
    }

    private static String text(JsonNode body, String field, String fallback) {
        JsonNode node = body.get(field);
        if (node == null) return fallback;
        if (!node.isTextual()) throw invalid(field, "a string");
        return node.asText();
    }

    private static int integer(JsonNode body, String field, int fallback) {
        return integer(body, field, field, fallback);
    }

    private static int integer(JsonNode body, String field, String label, int fallback) {
        JsonNode node = body.get(field);
        if (node == null) return fallback;
        if (!node.canConvertToInt() || !node.isIntegralNumber()) throw invalid(label, "an integer");
        return node.asInt();
    }

    private static Integer nullableInteger(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.canConvertToInt() || !node.isIntegralNumber()) throw invalid(field, "an integer or null");
        return node.asInt();
    }

    private static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null) return fallback;
        if (!node.isBoolean()) throw invalid(field, "true or false");
        return node.asBoolean();
    }

    private static Map<String, String> environment(JsonNode body, Map<String, String> fallback) {
        JsonNode node = body.get("environment");
        if (node == null) return fallback;
        if (!node.isObject()) throw invalid("environment", "an object of strings");
        Map<String, String> env = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            if (!e.getValue().isTextual()) throw invalid("environment." + e.getKey(), "a string");
            env.put(e.getKey(), e.getValue().asText());
        });
        return env;
    }

    private static java.util.List<dev.cumulus.registry.FunctionMount> mounts(JsonNode body,
            java.util.List<dev.cumulus.registry.FunctionMount> fallback) {
        JsonNode node = body.get("mounts");
        if (node == null) return fallback;
        if (!node.isArray()) throw invalid("mounts", "a list of {source, target, writable}");
        java.util.List<dev.cumulus.registry.FunctionMount> mounts = new java.util.ArrayList<>();
        for (JsonNode m : node) {
            if (!m.isObject() || !m.path("source").isTextual() || !m.path("target").isTextual()
                    || (m.has("writable") && !m.get("writable").isBoolean())) {
                throw invalid("mounts", "a list of {\"source\": host path, \"target\": /mnt/..., \"writable\": false}");
            }
            mounts.add(new dev.cumulus.registry.FunctionMount(m.get("source").asText(), m.get("target").asText(),
                    m.path("writable").asBoolean(false)));
        }
        return mounts;
    }

    /** {@code "none"}, {@code "full"} or {@code {"allow": ["host:port", "10.0.0.0/8:443", ...]}}. */
    private static Egress network(JsonNode body, Egress fallback) {
        JsonNode node = body.get("network");
        if (node == null) return fallback;
        String expected = "\"none\", \"full\" or {\"allow\": [\"host:port\", \"cidr:port\", ...]}";
        if (node.isTextual()) {
            return switch (node.asText()) {
                case "none" -> Egress.NONE;
                case "full" -> Egress.FULL;
                default -> throw invalid("network", expected);
            };
        }
        if (!node.isObject() || node.size() != 1 || !node.path("allow").isArray()) {
            throw invalid("network", expected);
        }
        java.util.List<String> entries = new java.util.ArrayList<>();
        for (JsonNode entry : node.get("allow")) {
            if (!entry.isTextual()) throw invalid("network.allow", "a list of \"host:port\" or \"cidr:port\" strings");
            entries.add(entry.asText());
        }
        try {
            return Egress.allow(entries);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidParameter", "'network.allow': " + e.getMessage());
        }
    }

    private static ApiException invalid(String field, String expected) {
        return ApiException.badRequest("InvalidParameter", "'" + field + "' must be " + expected);
    }
}
