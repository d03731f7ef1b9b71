package dev.cumulus.runtime;

import dev.cumulus.function.ServiceException;
import dev.cumulus.function.Topics;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node services a function calls from inside its instance ({@link Topics}, mail), over the
 * Runtime API socket under {@code /cumulus/v1/}. They get a connection of their own, opened at
 * the first call: the invocation loop's connection may be in a long poll, and a function may call
 * from any thread. One process runs one function, so this is one per process.
 */
final class NodeServices {
    static final String TOPICS = "/cumulus/v1/topics/";
    /** The node's REST API, relayed on the socket as the function's execution role. */
    static final String API = "/cumulus/v1/api/";
    static final String MAIL = "/cumulus/v1/mail/messages";
    private static volatile NodeServices installed;

    private final Supplier<HttpConnection> connect;
    private HttpConnection http;

    NodeServices(Supplier<HttpConnection> connect) {
        this.connect = connect;
    }

    /** Makes {@link #current()} reach the node through connections from {@code connect}. */
    static void install(Supplier<HttpConnection> connect) {
        installed = new NodeServices(connect);
    }

    static NodeServices current() {
        NodeServices services = installed;
        if (services == null) {
            throw new UnsupportedOperationException("node services are not reachable before the runtime starts");
        }
        return services;
    }

    Topics topics() {
        return this::publish;
    }

    dev.cumulus.function.Functions functions() {
        return this::invoke;
    }

    String invoke(String name, String jsonPayload) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a function name is required");
        }
        byte[] payload = (jsonPayload == null ? "{}" : jsonPayload).getBytes(StandardCharsets.UTF_8);
        HttpResponse r = call("POST", API + "functions/" + RuntimeApiClient.pathSegment(name) + "/invoke", payload);
        if (r.status() != 200) {
            throw refusal(r);
        }
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    dev.cumulus.function.Mail mail() {
        return this::send;
    }

    String send(String to, String template, Map<String, String> values) {
        if (to == null || template == null) {
            throw new IllegalArgumentException("an address and a template are required");
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("to", to);
        body.put("template", template);
        body.put("values", values == null ? Map.of() : values);
        HttpResponse r = call("POST", MAIL, JsonWriter.writeUtf8(body));
        if (r.status() != 202) {
            throw refusal(r);
        }
        if (JsonParser.parse(r.body()) instanceof Map<?, ?> answer && answer.get("id") instanceof String id) {
            return id;
        }
        throw new ServiceException(r.status(), "MalformedAnswer", "the node's answer names no message id");
    }

    String publish(String topic, String eventId, String type, String subject, String jsonData) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("a topic name is required");
        }
        if (jsonData == null) {
            throw new IllegalArgumentException("the event data is required (a JSON document)");
        }
        StringBuilder path = new StringBuilder(TOPICS).append(RuntimeApiClient.pathSegment(topic)).append("/events");
        query(path, "type", type);
        query(path, "subject", subject);
        query(path, "id", eventId);
        HttpResponse r = call("POST", path.toString(), jsonData.getBytes(StandardCharsets.UTF_8));
        if (r.status() != 202) {
            throw refusal(r);
        }
        if (JsonParser.parse(r.body()) instanceof Map<?, ?> answer && answer.get("eventId") instanceof String id) {
            return id;
        }
        throw new ServiceException(r.status(), "MalformedAnswer", "the node's answer names no eventId");
    }

    private static void query(StringBuilder path, String name, String value) {
        if (value != null) {
            path.append(path.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private synchronized HttpResponse call(String method, String path, byte[] body) {
        try {
            if (http == null) {
                http = connect.get();
            }
            return http.exchange(method, path, null, null, body);
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                http.close();
                http = null;
            }
            throw new ServiceException(0, "Unreachable", "the node could not be reached: " + e.getMessage());
        }
    }

    /** The node's error document ({@code errorType}, {@code errorMessage}) as an exception. */
    static ServiceException refusal(HttpResponse r) {
        String type = "HTTP" + r.status();
        String message = new String(r.body(), StandardCharsets.UTF_8);
        try {
            if (JsonParser.parse(r.body()) instanceof Map<?, ?> error) {
                // the Runtime API's shape, or the REST API's ({"error", "message"}) from the relay
                if (error.get("errorType") instanceof String t) type = t;
                if (error.get("errorMessage") instanceof String m) message = m;
                if (error.get("error") instanceof String t) type = t;
                if (error.get("message") instanceof String m) message = m;
            }
        } catch (RuntimeException notJson) {
            // keep the raw body as the message
        }
        return new ServiceException(r.status(), type, message);
    }
}
