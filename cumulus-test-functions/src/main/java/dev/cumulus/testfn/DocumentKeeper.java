package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.Documents;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uses the document database from inside its instance ({@code Context.documents()}). Invoked
 * directly with {@code {"collection": C}} it runs create, get, patch (with a version), query,
 * a transaction, a conflicting transaction and delete as its execution role and answers what it
 * saw. Behind a route with {@code auth: user} it acts for the caller (the event's
 * {@code authorization} header): it writes {@code notes/<uid>} and tries to read the note named
 * by {@code ?other=}, answering each outcome or error code; then the same through
 * {@code asCaller()}, the user the node verified for the invocation.
 */
public class DocumentKeeper implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (input.get("headers") instanceof Map<?, ?> headers) {
            Documents mine = context.documents().onBehalfOf(String.valueOf(headers.get("authorization")));
            String uid = context.user().orElseThrow().id();
            out.put("written", attempt(() -> mine.put("notes", uid, Map.of("owner", uid, "text", "mine")).version()));
            Map<String, Object> query = (Map<String, Object>) input.getOrDefault("queryStringParameters", Map.of());
            out.put("other", attempt(() -> mine.get("notes", String.valueOf(query.get("other")))
                    .map(d -> d.data().get("text")).orElse("absent")));
            out.put("ownRead", attempt(() -> mine.get("notes", uid).orElseThrow().data().get("text")));
            // the same, with the user the node verified for this invocation rather than a token
            Documents caller = context.documents().asCaller();
            out.put("callerPatched", attempt(() -> caller.patch("notes", uid, Map.of("text", "patched"), null).version()));
            out.put("callerOther", attempt(() -> caller.get("notes", String.valueOf(query.get("other")))
                    .map(d -> d.data().get("text")).orElse("absent")));
            return out; // no statusCode: the whole answer is the JSON body, as API Gateway does
        }
        String c = (String) input.get("collection");
        Documents db = context.documents();
        Documents.Document created = db.create(c, "apple", Map.of("stock", 3, "name", "apple"));
        out.put("created", created.version());
        out.put("got", db.get(c, "apple").orElseThrow().data().get("name"));
        out.put("missing", db.get(c, "pear").isPresent());
        out.put("patched", db.patch(c, "apple", Map.of("stock", 2), created.version()).data().get("stock"));
        out.put("stalePatch", attempt(() -> db.patch(c, "apple", Map.of("stock", 9), created.version())));
        out.put("queried", db.query(c, Map.of("where", Map.of("field", "name", "op", "==", "value", "apple"))).size());
        List<Map<String, Object>> results = db.transaction(List.of(Map.of("collection", c, "id", "apple", "version", 2)),
                List.of(Map.of("op", "patch", "collection", c, "id", "apple", "data", Map.of("stock", 1)),
                        Map.of("op", "create", "collection", c, "id", "receipt", "data", Map.of("item", "apple"))));
        out.put("transacted", results.size());
        out.put("conflict", attempt(() -> db.transaction(List.of(Map.of("collection", c, "id", "apple", "version", 2)),
                List.of(Map.of("op", "patch", "collection", c, "id", "apple", "data", Map.of("stock", 0))))));
        out.put("stock", db.get(c, "apple").orElseThrow().data().get("stock"));
        db.delete(c, "receipt");
        out.put("deleted", db.get(c, "receipt").isEmpty());
        out.put("denied", attempt(() -> db.get("secret", "x")));
        out.put("noCaller", attempt(() -> db.asCaller().get(c, "apple")));
        return out;
    }

    private static Object attempt(java.util.function.Supplier<Object> call) {
        try {
            return call.get();
        } catch (ServiceException e) {
            return e.status() + " " + e.errorType();
        }
    }
}
