package dev.cumulus.lambdaapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.web.Json;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Function settings Cumulus has one behaviour for but keeps exactly as the caller gave them,
 * because infrastructure-as-code tools compare what they read back with what they sent and plan
 * a change on every difference: Runtime (the Lambda name, e.g. {@code java21}), Role,
 * Description, Architectures, EphemeralStorage, LoggingConfig, TracingConfig. They live in
 * {@link LambdaStore} beside the registry's configuration; unset ones read back as Lambda's defaults.
 */
final class KeptSettings {
    static final List<String> FIELDS = List.of("Runtime", "Role", "Description", "Architectures", "EphemeralStorage",
            "LoggingConfig", "TracingConfig");
    /** Set (to true) in $LATEST's settings while reserved concurrency is set: maxInstances is then reported as it. */
    static final String RESERVED = "cumulus:reservedConcurrency";
    private static final Pattern ROLE = Pattern.compile("arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/?[a-zA-Z0-9+=,.@_/-]+");
    private static final Set<String> ARCHITECTURES = Set.of("x86_64", "arm64");

    private KeptSettings() {}

    /** {@code current} with the kept fields {@code body} sets, each checked as Lambda checks it. */
    static ObjectNode merge(ObjectNode current, JsonNode body) {
        ObjectNode out = current.deepCopy();
        for (String field : FIELDS) {
            JsonNode value = body.get(field);
            if (value != null && !value.isNull()) {
                check(field, value);
                out.set(field, value);
            }
        }
        return out;
    }

    private static void check(String field, JsonNode value) {
        switch (field) {
            case "Runtime" -> Runtimes.toCumulus(textual(field, value));
            case "Role" -> {
                if (!ROLE.matcher(textual(field, value)).matches()) {
                    throw LambdaError.invalid("1 validation error detected: Value '" + value.asText()
                            + "' at 'role' failed to satisfy constraint: it must be an IAM role ARN");
                }
            }
            case "Description" -> {
                if (textual(field, value).length() > 256) {
                    throw LambdaError.invalid("Description must be at most 256 characters");
                }
            }
            case "Architectures" -> {
                if (!value.isArray() || value.size() != 1 || !ARCHITECTURES.contains(value.get(0).asText())) {
                    throw LambdaError.invalid("Architectures must be [\"x86_64\"] or [\"arm64\"]");
                }
            }
            case "EphemeralStorage" -> {
                Fields.only(value, "Size");
                int size = Fields.requiredInteger(value, "Size");
                if (size < 512 || size > 10240) {
                    throw LambdaError.invalid("EphemeralStorage.Size must be from 512 to 10240 (MB), got " + size);
                }
            }
            case "LoggingConfig" -> {
                Fields.only(value, "LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup");
                oneOf(value, "LogFormat", Set.of("Text", "JSON"));
                oneOf(value, "ApplicationLogLevel", Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"));
                oneOf(value, "SystemLogLevel", Set.of("DEBUG", "INFO", "WARN"));
                Fields.text(value, "LogGroup", false);
            }
            case "TracingConfig" -> {
                Fields.only(value, "Mode");
                oneOf(value, "Mode", Set.of("Active", "PassThrough"));
            }
            default -> throw new IllegalArgumentException(field);
        }
    }

    private static String textual(String field, JsonNode value) {
        if (!value.isTextual()) {
            throw LambdaError.invalid(field + " must be a string");
        }
        return value.asText();
    }

    private static void oneOf(JsonNode object, String field, Set<String> allowed) {
        if (!object.isObject()) {
            throw LambdaError.invalid("expected an object with " + field);
        }
        String value = Fields.text(object, field, false);
        if (value != null && !allowed.contains(value)) {
            throw LambdaError.invalid(field + " must be one of " + new java.util.TreeSet<>(allowed) + ", got " + value);
        }
    }

    /** Writes the kept fields of {@code settings}, or Lambda's defaults, into a FunctionConfiguration. */
    static void describe(ObjectNode out, ObjectNode settings, FunctionConfig config, String defaultRole) {
        // a runtime changed through /v1 since the Lambda name was kept wins over that name
        JsonNode runtime = settings.get("Runtime");
        out.put("Runtime", runtime != null && Runtimes.toCumulus(runtime.asText()).equals(config.runtime())
                ? runtime.asText() : config.runtime());
        out.put("Role", settings.has("Role") ? settings.get("Role").asText() : defaultRole);
        out.put("Description", settings.has("Description") ? settings.get("Description").asText() : "");
        out.set("Architectures", settings.has("Architectures") ? settings.get("Architectures")
                : Json.MAPPER.createArrayNode().add(Shapes.architecture()));
        out.set("EphemeralStorage", settings.has("EphemeralStorage") ? settings.get("EphemeralStorage")
                : Json.MAPPER.createObjectNode().put("Size", 512));
        ObjectNode logging = Json.MAPPER.createObjectNode().put("LogFormat", "Text")
                .put("LogGroup", "/aws/lambda/" + config.name());
        if (settings.has("LoggingConfig")) {
            logging.setAll((ObjectNode) settings.get("LoggingConfig"));
        }
        out.set("LoggingConfig", logging);
        out.set("TracingConfig", settings.has("TracingConfig") ? settings.get("TracingConfig")
                : Json.MAPPER.createObjectNode().put("Mode", "PassThrough"));
    }

    /** What a published version keeps of $LATEST's settings: everything but the function-wide flags. */
    static ObjectNode forVersion(ObjectNode latest, String description) {
        ObjectNode out = latest.deepCopy();
        out.remove(RESERVED);
        if (description != null) {
            out.put("Description", description);
        }
        return out;
    }

    /** Whether a version's settings are $LATEST's (descriptions aside: PublishVersion may set its own). */
    static boolean sameAsVersion(ObjectNode latest, ObjectNode version) {
        ObjectNode a = forVersion(latest, null);
        ObjectNode b = version.deepCopy();
        a.remove("Description");
        b.remove("Description");
        return a.equals(b);
    }
}
