package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One write of a single call, a batch or a transaction.
 *
 * @param id        null for a create with a server-generated id
 * @param data      the document (create, replace) or the merge patch (patch); null for delete
 * @param ifVersion the version the document must have (If-Match); 0 when it must not exist; null for any
 */
record Write(Kind kind, String collection, String id, JsonNode data, Long ifVersion) {
    enum Kind { CREATE, REPLACE, PATCH, DELETE }
}
