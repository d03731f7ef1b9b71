package dev.cumulus.runtime;

import dev.cumulus.function.Documents;
import dev.cumulus.function.ServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link Documents} over the Runtime API socket: the REST API's {@code /v1/db/...} relayed as
 * the function's execution role ({@link NodeServices#API}). Acting for an end user adds
 * {@code X-Cumulus-On-Behalf-Of} with the user's access token, which the node verifies and the
 * collections' rules judge (ADR 0035). Every call names its invocation ({@link #INVOCATION}), so
 * a write made for a change event counts as one more hop of that event's chain.
 */
final class NodeDocuments implements Documents {
    static final String ON_BEHALF_OF = "X-Cumulus-On-Behalf-Of";
    /** With the invocation's execution token: the node acts for the caller it verified for it. */
    static final String AS_CALLER = "X-Cumulus-As-Caller";
    /** With the invocation's execution token: writes continue the change-trigger chain of that invocation. */
    static final String INVOCATION = "X-Cumulus-Invocation";
    private static final String DB = NodeServices.API + "db/";

    private final NodeServices node;
    /** This invocation's execution token; null without a role. */
    private final String executionToken;
    /** The header naming whom to act for ({@link #ON_BEHALF_OF} or {@link #AS_CALLER}); null: the execution role. */
    private final String actAsHeader;
    private final String actAsValue;

    NodeDocuments(NodeServices node, String executionToken) {
        this(node, executionToken, null, null);
    }

    private NodeDocuments(NodeServices node, String executionToken, String actAsHeader, String actAsValue) {
        this.node = node;
        this.executionToken = executionToken;
        this.actAsHeader = actAsHeader;
        this.actAsValue = actAsValue;
    }

    @Override
    public Optional<Document> get(String collection, String id) {
        HttpResponse r = call("GET", document(collection, id), null);
        if (r.status() == 404 && "DocumentNotFound".equals(NodeServices.refusal(r).errorType())) {
            return Optional.empty();
        }
        return Optional.of(document(expect(r, 200)));
    }

    @Override
    public Document create(String collection, String id, Map<String, Object> data) {
        String path = documents(collection) + (id == null ? "" : "?id=" + RuntimeApiClient.pathSegment(requireId(id)));
        return document(expect(call("POST", path, body(data)), 201));
    }

    @Override
    public Document put(String collection, String id, Map<String, Object> data) {
        HttpResponse r = call("PUT", document(collection, id), body(data));
        return document(expect(r, r.status() == 201 ? 201 : 200));
    }

    @Override
    public Document patch(String collection, String id, Map<String, Object> patch, Long ifVersion) {
        String[] ifMatch = ifVersion == null ? new String[0] : new String[] {"If-Match", "\"" + ifVersion + "\""};
        return document(expect(call("PATCH", document(collection, id), ifMatch, body(patch)), 200));
    }

    @Override
    public void delete(String collection, String id) {
        expect(call("DELETE", document(collection, id), null), 204);
    }

    @Override
    public Page queryPage(String collection, Map<String, Object> query) {
        Map<?, ?> answer = expect(call("POST", collectionPath(collection) + "/query",
                JsonWriter.writeUtf8(query == null ? Map.of() : query)), 200);
        List<Document> docs = new ArrayList<>();
        if (answer.get("documents") instanceof List<?> list) {
            for (Object d : list) {
                docs.add(document((Map<?, ?>) d));
            }
        }
        return new Page(List.copyOf(docs), answer.get("nextCursor") instanceof String c ? c : null);
    }

    @Override
    public List<Map<String, Object>> transaction(List<Map<String, Object>> reads, List<Map<String, Object>> writes) {
        Map<String, Object> tx = new LinkedHashMap<>();
        tx.put("reads", reads == null ? List.of() : reads);
        tx.put("writes", writes == null ? List.of() : writes);
        Map<?, ?> answer = expect(call("POST", DB + "transaction", JsonWriter.writeUtf8(tx)), 200);
        List<Map<String, Object>> results = new ArrayList<>();
        if (answer.get("results") instanceof List<?> list) {
            for (Object o : list) {
                results.add(strings((Map<?, ?>) o));
            }
        }
        return results;
    }

    @Override
    public Documents onBehalfOf(String accessToken) {
        if (accessToken == null || accessToken.isBlank()) {
            throw new IllegalArgumentException("an end user's access token is required");
        }
        String token = accessToken.strip();
        // a header value must not smuggle a line break into the request
        if (token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("an access token holds no control characters");
        }
        return new NodeDocuments(node, executionToken, ON_BEHALF_OF,
                token.regionMatches(true, 0, "Bearer ", 0, 7) ? token : "Bearer " + token);
    }

    @Override
    public Documents asCaller() {
        if (executionToken == null) {
            throw new ServiceException(403, "NoRole", "this function has no execution role: deploy it with one");
        }
        return new NodeDocuments(node, executionToken, AS_CALLER, executionToken);
    }

    private HttpResponse call(String method, String path, byte[] body) {
        return call(method, path, new String[0], body);
    }

    private HttpResponse call(String method, String path, String[] headers, byte[] body) {
        List<String> all = new ArrayList<>(List.of(headers));
        if (executionToken != null) {
            // names the invocation: a write made for a change event continues its chain (loops stop)
            all.add(INVOCATION);
            all.add(executionToken);
        }
        if (actAsHeader != null) {
            all.add(actAsHeader);
            all.add(actAsValue);
        }
        return node.call(method, path, all.toArray(String[]::new), body);
    }

    private static Map<?, ?> expect(HttpResponse r, int status) {
        if (r.status() != status) {
            throw NodeServices.refusal(r);
        }
        if (r.body().length == 0) {
            return Map.of();
        }
        if (JsonParser.parse(r.body()) instanceof Map<?, ?> answer) {
            return answer;
        }
        throw new ServiceException(r.status(), "MalformedAnswer", "the node's answer is not a JSON object");
    }

    private static Document document(Map<?, ?> view) {
        if (!(view.get("id") instanceof String id) || !(view.get("version") instanceof Number version)) {
            throw new ServiceException(200, "MalformedAnswer", "the node's answer is not a document");
        }
        return new Document(id, version.longValue(), view.get("data") instanceof Map<?, ?> data ? strings(data) : Map.of());
    }

    private static Map<String, Object> strings(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    private static byte[] body(Map<String, Object> data) {
        return JsonWriter.writeUtf8(requireData(data));
    }

    private static Map<String, Object> requireData(Map<String, Object> data) {
        if (data == null) {
            throw new IllegalArgumentException("a document is required (a JSON object)");
        }
        return data;
    }

    private static String requireId(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a document id is required");
        }
        return id;
    }

    private static String collectionPath(String collection) {
        if (collection == null || collection.isEmpty()) {
            throw new IllegalArgumentException("a collection name is required");
        }
        return DB + "collections/" + RuntimeApiClient.pathSegment(collection);
    }

    private static String documents(String collection) {
        return collectionPath(collection) + "/documents";
    }

    private static String document(String collection, String id) {
        return documents(collection) + "/" + RuntimeApiClient.pathSegment(requireId(id));
    }
}
