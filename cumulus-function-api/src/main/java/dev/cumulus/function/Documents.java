package dev.cumulus.function;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The project's document database from inside a function (docs/documents.md), reached through
 * {@link Context#documents()}. It acts as the function's execution role (its policies decide,
 * e.g. {@code db:GetDocument} on {@code crn:cumulus:db:<project>:carts/*}; the collections' rules
 * do not apply), or, through {@link #onBehalfOf(String)}, as an end user whom the collections'
 * rules judge. Documents and queries are JSON objects as maps (strings, numbers, booleans, null,
 * lists and maps); a refusal is a {@link ServiceException} with the node's status and code
 * ({@code 403 AccessDenied}, {@code 404 DocumentNotFound}, {@code 409 TransactionConflict},
 * {@code 412 PreconditionFailed}, ...).
 */
public interface Documents {

    /** A stored document: its id, its version (1 on create, +1 per write) and its data. */
    record Document(String id, long version, Map<String, Object> data) {
        public Document {
            data = data == null ? Map.of() : data;
        }
    }

    /** The document, or empty when the collection has none with that id. */
    Optional<Document> get(String collection, String id);

    /** Creates a document; {@code id} null lets the server pick one. {@code 409 DocumentExists} when the id is taken. */
    Document create(String collection, String id, Map<String, Object> data);

    /** Replaces (or creates) a document. */
    Document put(String collection, String id, Map<String, Object> data);

    /**
     * Merges {@code patch} into a document (JSON Merge Patch: a null member removes it); with
     * {@code ifVersion} non-null only while the document is at that version ({@code 412} otherwise).
     */
    Document patch(String collection, String id, Map<String, Object> patch, Long ifVersion);

    /** Deletes a document. */
    void delete(String collection, String id);

    /**
     * Runs a query ({@code where}, {@code orderBy}, {@code limit}, {@code cursor} as in the REST
     * API) and returns the page's documents; {@link #queryPage} gives the next cursor too.
     */
    default List<Document> query(String collection, Map<String, Object> query) {
        return queryPage(collection, query).documents();
    }

    /** One page of a query's answer. */
    record Page(List<Document> documents, String nextCursor) {}

    Page queryPage(String collection, Map<String, Object> query);

    /**
     * One transaction, all or nothing: {@code reads} are {@code {collection, id, version}} that
     * must still hold (version 0: still absent), {@code writes} are {@code {op: create|replace|patch|delete,
     * collection, id, data, ifVersion}}. Another writer in between makes it fail with
     * {@code 409 TransactionConflict} and nothing is written.
     *
     * @return per write {@code {collection, id, version}}
     */
    List<Map<String, Object>> transaction(List<Map<String, Object>> reads, List<Map<String, Object>> writes);

    /**
     * The same client acting for the end user whose access token this is ({@code Bearer ...} or
     * the bare token): the node verifies it, and the collections' rules judge each request as that
     * user. For a route with {@code auth: user} the caller's token is the event's
     * {@code authorization} header. A token that is not valid for this project is {@code 401}.
     */
    Documents onBehalfOf(String accessToken);

    /**
     * The same client acting for the end user the node verified for this invocation (a route or
     * function URL with {@code auth: user}: {@link Context#user()}), judged by the collections'
     * rules as that user. The node resolves the user from the invocation itself, so the function
     * never handles the caller's token and cannot name anyone else (the safer choice over
     * {@link #onBehalfOf(String)}). An invocation without a signed-in caller is refused
     * ({@code 403 NoCaller}), as is a function without an execution role.
     */
    Documents asCaller();
}
