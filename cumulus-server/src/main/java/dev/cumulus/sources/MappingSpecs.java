package dev.cumulus.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Turns a create request into a {@link SourceMapping}, refusing anything it cannot run with a
 * precise 400. Whether the broker is reachable is not checked here: an unreachable broker is a
 * state of the mapping (disconnected, retried), not bad input.
 */
final class MappingSpecs {
    static final int DEFAULT_BATCH_SIZE = 10;
    static final int MAX_BATCH_SIZE = 100;
    static final int MAX_BATCH_WINDOW_MS = 5_000;
    static final int DEFAULT_MAX_RETRIES = 3;
    static final int MAX_RETRIES = 100;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern FUNCTION = Pattern.compile("[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?");
    /** NATS subject: dot-separated tokens without whitespace; {@code *} and a final {@code >} are wildcards. */
    private static final Pattern SUBJECT = Pattern.compile("[^\\s.*>]+|\\*|>");
    /** JetStream stream names may not contain whitespace, dots, wildcards or path separators. */
    private static final Pattern STREAM = Pattern.compile("[^\\s.*>/\\\\]{1,255}");
    private static final Set<String> FIELDS = Set.of("name", "type", "url", "topic", "subject", "stream", "queue",
            "function", "batchSize", "batchWindowMs", "ordered", "maxRetries", "onFailure", "enabled");

    private MappingSpecs() {}

    /**
     * @param project the project the mapping is made in, whose functions it invokes
     * @param functionExists throws an {@link ApiException} when the named function (or version)
     *     does not exist in {@code project}
     */
    static SourceMapping parse(String project, JsonNode body, Consumer<String> functionExists, Instant now) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw bad("UnknownField", "unknown field '" + field + "'; expected some of " + FIELDS);
            }
        }
        String name = requiredText(body, "name");
        if (!NAME.matcher(name).matches()) {
            throw bad("InvalidName", "name must be 1-64 letters, digits, '-' or '_', got '" + name + "'");
        }
        String typeText = requiredText(body, "type");
        SourceType type;
        try {
            type = SourceType.valueOf(typeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("InvalidType", "type must be one of mqtt, nats, amqp, got '" + typeText + "'");
        }
        String url = requiredText(body, "url");
        checkUrl(type, url);

        String topic = optionalText(body, "topic");
        String subject = optionalText(body, "subject");
        String stream = optionalText(body, "stream");
        String queue = optionalText(body, "queue");
        switch (type) {
            case MQTT -> {
                only(type, "topic", topic, subject, stream, queue);
                if (topic == null) throw bad("MissingTopic", "an mqtt source needs 'topic' (a topic filter)");
                checkTopicFilter(topic);
            }
            case NATS -> {
                if (topic != null || queue != null) {
                    throw bad("InvalidTarget", "a nats source takes 'stream' and/or 'subject', not 'topic' or 'queue'");
                }
                if (stream == null && subject == null) {
                    throw bad("MissingStream", "a nats source needs 'stream' (a JetStream stream) or 'subject' "
                            + "(captured by a JetStream stream), or both");
                }
                if (stream != null && !STREAM.matcher(stream).matches()) {
                    throw bad("InvalidStream", "'" + stream + "' is not a JetStream stream name");
                }
                if (subject != null) checkSubject(subject);
            }
            case AMQP -> {
                only(type, "queue", queue, topic, subject, stream);
                if (queue == null) throw bad("MissingQueue", "an amqp source needs 'queue'");
                if (queue.length() > 255) throw bad("InvalidQueue", "a queue name has at most 255 characters");
            }
        }

        String function = requiredText(body, "function");
        if (!FUNCTION.matcher(function).matches()) {
            throw bad("InvalidFunction", "'function' must be NAME or NAME:QUALIFIER, got '" + function + "'");
        }
        requireFunction(functionExists, function, "function");

        int batchSize = intField(body, "batchSize", DEFAULT_BATCH_SIZE, 1, MAX_BATCH_SIZE);
        int batchWindowMs = intField(body, "batchWindowMs", 0, 0, MAX_BATCH_WINDOW_MS);
        int maxRetries = intField(body, "maxRetries", DEFAULT_MAX_RETRIES, 0, MAX_RETRIES);
        boolean ordered = boolField(body, "ordered", false);
        boolean enabled = boolField(body, "enabled", true);
        OnFailure onFailure = parseOnFailure(optionalText(body, "onFailure"), functionExists);
        return new SourceMapping(project, name, type, url, topic, subject, stream, queue, function, batchSize, batchWindowMs,
                ordered, maxRetries, onFailure, enabled, now);
    }

    static OnFailure parseOnFailure(String spec, Consumer<String> functionExists) {
        if (spec == null) {
            return null;
        }
        if (spec.startsWith("function:")) {
            String target = spec.substring("function:".length());
            if (!FUNCTION.matcher(target).matches()) {
                throw bad("InvalidOnFailure", "onFailure 'function:' needs NAME or NAME:QUALIFIER, got '" + spec + "'");
            }
            if (functionExists != null) requireFunction(functionExists, target, "onFailure");
            return new OnFailure.ToFunction(target);
        }
        if (spec.startsWith("topic:")) {
            String topic = spec.substring("topic:".length());
            if (!NAME.matcher(topic).matches()) {
                throw bad("InvalidOnFailure", "onFailure 'topic:' needs a topic name, got '" + spec + "'");
            }
            return new OnFailure.ToTopic(topic);
        }
        throw bad("InvalidOnFailure", "onFailure must be function:NAME or topic:NAME, got '" + spec + "'");
    }

    private static void requireFunction(Consumer<String> functionExists, String function, String field) {
        try {
            functionExists.accept(function);
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw bad("FunctionNotFound", field + " names '" + function + "', which does not exist: " + e.getMessage());
            }
            throw e;
        }
    }

    private static void checkUrl(SourceType type, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad("InvalidUrl", "'" + url + "' is not a URL: " + e.getReason());
        }
        Set<String> schemes = switch (type) {
            case MQTT -> Set.of("mqtt", "mqtts");
            case NATS -> Set.of("nats", "tls");
            case AMQP -> Set.of("amqp", "amqps");
        };
        if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
            throw bad("InvalidUrl", "a " + type.wireName() + " url starts with one of " + schemes.stream().sorted()
                    .map(s -> s + "://").toList() + ", got '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw bad("InvalidUrl", "the url '" + url + "' has no host");
        }
    }

    private static void checkTopicFilter(String topic) {
        if (topic.isEmpty() || topic.length() > 65_535 || topic.indexOf('\0') >= 0) {
            throw bad("InvalidTopic", "an MQTT topic filter is 1-65535 characters without NUL");
        }
        String[] levels = topic.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw bad("InvalidTopic", "'#' must be a whole, last level of the topic filter '" + topic + "'");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw bad("InvalidTopic", "'+' must be a whole level of the topic filter '" + topic + "'");
            }
        }
    }

    private static void checkSubject(String subject) {
        String[] tokens = subject.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++) {
            if (!SUBJECT.matcher(tokens[i]).matches() || (tokens[i].equals(">") && i != tokens.length - 1)) {
                throw bad("InvalidSubject", "'" + subject + "' is not a NATS subject (dot-separated tokens without "
                        + "spaces; '*' a whole token, '>' the last one)");
            }
        }
    }

    private static void only(SourceType type, String wanted, String value, String... others) {
        for (String other : others) {
            if (other != null) {
                throw bad("InvalidTarget", "an " + type.wireName() + " source takes '" + wanted
                        + "' only (topic is for mqtt, stream/subject for nats, queue for amqp)");
            }
        }
    }

    private static String requiredText(JsonNode body, String field) {
        String value = optionalText(body, field);
        if (value == null) {
            throw bad("Missing" + Character.toUpperCase(field.charAt(0)) + field.substring(1), "'" + field + "' is required");
        }
        return value;
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw bad("InvalidParameter", "'" + field + "' must be a non-empty string");
        }
        return node.asText();
    }

    private static int intField(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw bad("InvalidParameter", "'" + field + "' must be an integer from " + min + " to " + max + ", got " + node);
        }
        return node.asInt();
    }

    private static boolean boolField(JsonNode body, String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw bad("InvalidParameter", "'" + field + "' must be true or false, got " + node);
        }
        return node.asBoolean();
    }

    private static ApiException bad(String code, String message) {
        return ApiException.badRequest(code, message);
    }
}
