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
    static final String STORAGE = "/cumulus/v1/storage/";
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

    /** The database as the invocation whose execution token is {@code token} (null: the function has no role). */
    dev.cumulus.function.Documents documents(String token) {
        return new NodeDocuments(this, token);
    }

    /** Storage as the invocation whose execution token is {@code token} (null: the function has no role). */
    dev.cumulus.function.Storage storage(String token) {
        return new dev.cumulus.function.Storage() {
            @Override
            public byte[] get(String bucket, String key) {
                HttpResponse r = storageCall("GET", objectPath(bucket, key), null);
                if (r.status() != 200) {
                    throw refusal(r);
                }
                if (JsonParser.parse(r.body()) instanceof Map<?, ?> answer && answer.get("data") instanceof String data) {
                    return java.util.Base64.getDecoder().decode(data);
                }
                throw new ServiceException(r.status(), "MalformedAnswer", "the node's answer has no data");
            }

            @Override
            public String put(String bucket, String key, byte[] data, String contentType) {
                if (data == null) {
                    throw new IllegalArgumentException("data is required");
                }
                StringBuilder path = new StringBuilder(objectPath(bucket, key));
                query(path, "contentType", contentType);
                HttpResponse r = storageCall("PUT", path.toString(), data);
                if (r.status() != 200) {
                    throw refusal(r);
                }
                return JsonParser.parse(r.body()) instanceof Map<?, ?> answer && answer.get("etag") instanceof String etag
                        ? etag : null;
            }

            @Override
            public void delete(String bucket, String key) {
                HttpResponse r = storageCall("DELETE", objectPath(bucket, key), null);
                if (r.status() != 204) {
                    throw refusal(r);
                }
            }

            @Override
            public java.util.List<String> list(String bucket, String prefix) {
                StringBuilder path = new StringBuilder(STORAGE).append(RuntimeApiClient.pathSegment(bucket)).append("/objects");
                query(path, "prefix", prefix);
                HttpResponse r = storageCall("GET", path.toString(), null);
                if (r.status() != 200) {
                    throw refusal(r);
                }
                java.util.List<String> keys = new java.util.ArrayList<>();
                if (JsonParser.parse(r.body()) instanceof Map<?, ?> answer && answer.get("keys") instanceof java.util.List<?> list) {
                    for (Object k : list) {
                        keys.add(String.valueOf(k));
                    }
                }
                return keys;
            }

            private HttpResponse storageCall(String method, String path, byte[] body) {
                if (token == null) {
                    throw new ServiceException(403, "AccessDenied", "this function has no execution role: deploy it"
                            + " with one whose policies allow storage actions");
                }
                return call(method, path, "Authorization", "Bearer " + token, body);
            }
        };
    }

    private static String objectPath(String bucket, String key) {
        if (bucket == null || bucket.isEmpty() || key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a bucket and a key are required");
        }
        StringBuilder path = new StringBuilder(STORAGE).append(RuntimeApiClient.pathSegment(bucket)).append("/objects");
        for (String segment : key.split("/", -1)) {
            path.append('/').append(RuntimeApiClient.pathSegment(segment));
        }
        return path.toString();
    }

    private static void query(StringBuilder path, String name, String value) {
        if (value != null) {
            path.append(path.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    HttpResponse call(String method, String path, byte[] body) {
        return call(method, path, null, null, body);
    }

    HttpResponse call(String method, String path, String header, String value, byte[] body) {
        return call(method, path, header == null ? new String[0] : new String[] {header, value}, body);
    }

    /** @param headers extra headers: name, value, name, value... */
    synchronized HttpResponse call(String method, String path, String[] headers, byte[] body) {
        try {
            if (http == null) {
                http = connect.get();
            }
            return http.exchange(method, path, headers, body);
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
