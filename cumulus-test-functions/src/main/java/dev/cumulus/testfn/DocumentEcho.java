package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.Documents;
import dev.cumulus.function.RequestHandler;
import java.util.Map;

/**
 * Writes the document its input names back into its collection ({@code Context.documents()}, as
 * its execution role): {@code {"collection": C, "id": D}}, which is also the shape of a change
 * event's data, so subscribed to a collection's changes it writes into the collection that
 * triggered it, again and again until the node stops the chain.
 */
public class DocumentEcho implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        String collection = String.valueOf(input.get("collection"));
        String id = String.valueOf(input.get("id"));
        Documents.Document written = context.documents().put(collection, id, Map.of("echoed", true));
        return Map.of("version", written.version());
    }
}
