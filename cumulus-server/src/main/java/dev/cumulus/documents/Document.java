package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A stored document: its data and the server's fields (version for ETag/If-Match, timestamps). */
public record Document(String collection, String id, JsonNode data, long version, Instant createdAt, Instant updatedAt) {
    /** The ETag of this version: {@code "<version>"}. */
    public String etag() {
        return "\"" + version + "\"";
    }

    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("version", version);
        view.put("createdAt", createdAt.toString());
        view.put("updatedAt", updatedAt.toString());
        view.put("data", data);
        return view;
    }
}
