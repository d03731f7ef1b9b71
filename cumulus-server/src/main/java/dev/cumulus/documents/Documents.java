package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.cluster.ClusterBus;
import dev.cumulus.documents.Rules.Operation;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document database of every project (issue 16, ADR 0028): collections of JSON documents,
 * queries, transactions and batches, access rules for end users, and change events after commit.
 * The same code runs on SQLite and PostgreSQL; only {@link Dialect} differs.
 */
public final class Documents {
    private static final Logger LOG = LoggerFactory.getLogger(Documents.class);
    /** The largest document: its data serialised as JSON, in bytes (1 MiB). */
    public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    static final int MAX_WRITES = 500;
    static final int MAX_READS = 500;
    /** A write caused by this many chained change events in a row is refused: a trigger loop. */
    public static final int MAX_HOPS = 8;
    private static final Pattern COLLECTION = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9_.~-]{0,255}");
    private static final String ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Database db;
    private final Dialect dialect;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    final ChangeLog changeLog;

    /** @param events where change events go: the topics of the event bus */
    public Documents(Database db, TopicSink events, Clock clock) {
        this(db, events, clock, ChangeLog.DEFAULT_RETENTION);
    }

    /**
     * @param cluster how the other nodes hear of this node's commits and this node of theirs, so
     *     that realtime subscriptions everywhere look at once (ADR 0041); close {@link #joinCluster}'s
     *     result before the bus
     */
    public Documents(Database db, TopicSink events, Clock clock, ClusterBus cluster) {
        this(db, events, clock, ChangeLog.DEFAULT_RETENTION, cluster);
    }

    Documents(Database db, TopicSink events, Clock clock, java.time.Duration retention) {
        this(db, events, clock, retention, ClusterBus.alone("embedded"));
    }

    Documents(Database db, TopicSink events, Clock clock, java.time.Duration retention, ClusterBus cluster) {
        this.db = db;
        this.dialect = db.postgres() ? Dialect.POSTGRES : Dialect.SQLITE;
        this.clock = clock;
        this.changeLog = new ChangeLog(db, events, clock, retention, cluster);
    }

    /**
     * Wakes this node's realtime subscriptions when another node commits to their collection;
     * close the result to stop listening.
     */
    public AutoCloseable joinCluster() {
        return changeLog.hearOtherNodes();
    }

    /**
     * Publishes the change events a previous run committed but had not published (it died in
     * between); call once at start.
     */
    public void recover() {
        changeLog.recover((project, collection) -> {
            try {
                return db.withConnection(c -> collection(c, project, collection)).settings().changesTopic;
            } catch (ApiException gone) {
                return null;
            }
        });
    }

    /**
     * The REST routes under {@code /v1/projects/{project}/db/}.
     *
     * @param endUsers   for whom an IAM principal acts ({@code X-Cumulus-On-Behalf-Of})
     * @param userTokens verifies an end user's own bearer token on the document routes (ADR 0034)
     * @param origins    the origins whose pages may call the document routes (CORS)
     */
    public List<Route> routes(EndUsers endUsers, dev.cumulus.web.EndUserTokens userTokens,
            dev.cumulus.web.AllowedOrigins origins) {
        return new DocumentsApi(this, endUsers, userTokens, origins).routes();
    }

    // --- collections ---

    /** Creates or replaces a collection's settings; declared indexes are created now. */
    Map<String, Object> putCollection(String project, String name, JsonNode settingsJson) {
        requireCollectionName(name);
        CollectionSettings settings = CollectionSettings.parse(settingsJson);
        long now = clock.millis();
        boolean created = db.inTransaction(c -> {
            boolean exists;
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM db_collections WHERE project = ? AND name = ?")) {
                s.setString(1, project);
                s.setString(2, name);
                try (ResultSet rs = s.executeQuery()) {
                    exists = rs.next();
                }
            }
            try (PreparedStatement w = c.prepareStatement(exists
                    ? "UPDATE db_collections SET settings = ?, updated_at = ? WHERE project = ? AND name = ?"
                    : "INSERT INTO db_collections (settings, updated_at, project, name, doc_count, change_seq,"
                            + " created_at) VALUES (?, ?, ?, ?, 0, 0, ?)")) {
                w.setString(1, settings.json.toString());
                w.setLong(2, now);
                w.setString(3, project);
                w.setString(4, name);
                if (!exists) {
                    w.setLong(5, now);
                }
                w.executeUpdate();
            }
            return !exists;
        });
        ensureIndexes(settings.indexes);
        Map<String, Object> view = collectionView(project, name);
        view.put("created", created);
        return view;
    }

    /** One expression index per declared field and value type, shared by every collection that declares it. */
    private void ensureIndexes(List<FieldPath> fields) {
        if (fields.isEmpty()) {
            return;
        }
        db.withConnection(c -> {
            try (Statement s = c.createStatement()) {
                for (FieldPath f : fields) {
                    for (String ddl : dialect.indexDdl(f)) {
                        s.execute(ddl);
                    }
                }
            }
            return null;
        });
    }

    List<Map<String, Object>> listCollections(String project) {
        List<String> names = db.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name FROM db_collections WHERE project = ?")) {
                s.setString(1, project);
                try (ResultSet rs = s.executeQuery()) {
                    List<String> found = new ArrayList<>();
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                    return found;
                }
            }
        });
        names.sort(null);
        return names.stream().map(n -> collectionView(project, n)).toList();
    }

    Map<String, Object> getCollection(String project, String name) {
        requireCollectionName(name);
        return collectionView(project, name);
    }

    /** Deletes a collection and all its documents (no change events: the collection is gone). */
    void deleteCollection(String project, String name) {
        requireCollectionName(name);
        int deleted = db.inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM db_documents WHERE project = ? AND collection = ?")) {
                d.setString(1, project);
                d.setString(2, name);
                d.executeUpdate();
            }
            changeLog.forget(c, project, name);
            try (PreparedStatement d = c.prepareStatement("DELETE FROM db_collections WHERE project = ? AND name = ?")) {
                d.setString(1, project);
                d.setString(2, name);
                return d.executeUpdate();
            }
        });
        if (deleted == 0) {
            throw collectionNotFound(name);
        }
    }

    private Map<String, Object> collectionView(String project, String name) {
        return db.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT settings, doc_count, created_at, updated_at"
                    + " FROM db_collections WHERE project = ? AND name = ?")) {
                s.setString(1, project);
                s.setString(2, name);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw collectionNotFound(name);
                    }
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("name", name);
                    view.put("settings", Json.MAPPER.readTree(rs.getString(1)));
                    view.put("documents", rs.getLong(2));
                    view.put("createdAt", Instant.ofEpochMilli(rs.getLong(3)).toString());
                    view.put("updatedAt", Instant.ofEpochMilli(rs.getLong(4)).toString());
                    return view;
                } catch (IOException e) {
                    throw new IllegalStateException("stored settings are JSON", e);
                }
            }
        });
    }

    private record Collection(CollectionSettings settings, long count) {}

    private Collection collection(Connection c, String project, String name) throws SQLException {
        return collection(c, project, name, false);
    }

    /**
     * @param forWrite lock the collection's row (PostgreSQL) for the rest of the transaction: every
     *     write takes it anyway (count, change counter), and taking it first makes writers of a
     *     collection queue at the start instead of racing to insert the same new id
     */
    private Collection collection(Connection c, String project, String name, boolean forWrite) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT settings, doc_count FROM db_collections WHERE project = ? AND name = ?"
                        + (forWrite && dialect == Dialect.POSTGRES ? " FOR UPDATE" : ""))) {
            s.setString(1, project);
            s.setString(2, name);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw collectionNotFound(name);
                }
                return new Collection(settings(rs.getString(1)), rs.getLong(2));
            }
        }
    }

    /** Parsed settings by their stored text: compiling rules and schemas once, not per request. */
    private final Map<String, CollectionSettings> parsed = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_PARSED = 1024;

    private CollectionSettings settings(String stored) {
        CollectionSettings settings = parsed.get(stored);
        if (settings == null) {
            try {
                settings = CollectionSettings.parse(Json.MAPPER.readTree(stored));
            } catch (IOException e) {
                throw new IllegalStateException("stored settings are JSON", e);
            }
            if (parsed.size() >= MAX_PARSED) {
                parsed.clear();
            }
            parsed.put(stored, settings);
        }
        return settings;
    }

    // --- documents ---

    Document get(Access access, String project, String collection, String id) {
        requireCollectionName(collection);
        requireId(id);
        return db.withConnection(c -> {
            Collection col = collection(c, project, collection);
            Optional<Document> doc = load(c, project, collection, id, false);
            if (access instanceof Access.EndUser user && !col.settings().rules.allows(Operation.READ, user.auth(),
                    doc.map(d -> Rules.resource(d.id(), d.data(), d.version())).orElse(null), null, clock.instant())) {
                throw denied(Operation.READ, collection);
            }
            return doc.orElseThrow(() -> documentNotFound(collection, id));
        });
    }

    /**
     * Declares how many change events led to a write (a client of the REST API copies it from the
     * event's {@code hops}); a function's writes through its socket get it from their invocation.
     */
    public static final String HOPS_HEADER = "Cumulus-Db-Hops";
    /**
     * The request attribute with the hop count of the invocation a relayed write comes from
     * ({@link #hopsOf}); a write counts the larger of it and {@link #HOPS_HEADER}.
     */
    public static final String INVOCATION_HOPS = Documents.class.getName() + ".invocationHops";

    /**
     * The hop count a write continues from when it is made by an invocation of {@code project}
     * run for {@code event}: the change event's {@code hops} when the event is one of this
     * project's change events ({@code document.*} from {@code /db/<project>/...}), else 0.
     */
    public static int hopsOf(String project, CloudEvent event) {
        if (event == null || event.type() == null || !event.type().startsWith("document.") || event.source() == null
                || !event.source().startsWith("/db/" + project + "/")) {
            return 0;
        }
        try {
            JsonNode data = Json.MAPPER.readTree(event.data());
            return data == null ? 0 : Math.max(0, Math.min(data.path("hops").asInt(0), 1_000));
        } catch (IOException e) {
            return 0; // not a change event's data after all
        }
    }

    /** What a committed write did: the images before and after (null when absent). */
    public record Change(String project, String collection, String id, Document before, Document after, int hops) {
        public String type() {
            return before == null ? "document.created" : after == null ? "document.deleted" : "document.updated";
        }
    }

    /** Runs one write; see {@link #commit}. */
    Change write(Access access, String project, Write write, int hops) {
        return commit(access, project, List.of(), List.of(write), hops).getFirst();
    }

    /** A document version a transaction read: it must still be so at commit ({@code version} 0: still absent). */
    record Read(String collection, String id, long version) {}

    /**
     * Checks every read and applies every write in one database transaction: all or nothing.
     * A read whose document moved on, or a write whose {@code ifVersion} no longer holds, fails the
     * whole commit (409 for reads, 412 for If-Match). Change events go out after the commit.
     */
    List<Change> commit(Access access, String project, List<Read> reads, List<Write> writes, int hops) {
        if (hops >= MAX_HOPS) {
            LOG.error("recursive write chain stopped: a write to {} in project {} follows {} change-triggered"
                    + " invocations in a row (limit {}); refused with 508 ChangeLoop", writes.isEmpty() ? "nothing"
                    : writes.getFirst().collection(), project, hops, MAX_HOPS);
            throw new ApiException(508, "ChangeLoop", "this write follows " + hops + " change events in a row (a "
                    + "function triggered by a change writing again, or the " + HOPS_HEADER + " header); a function"
                    + " writing into the collection that triggers it loops; the limit is " + MAX_HOPS);
        }
        if (writes.size() > MAX_WRITES || reads.size() > MAX_READS) {
            throw ApiException.badRequest("TooManyOperations", "a transaction or batch has at most " + MAX_WRITES
                    + " writes and " + MAX_READS + " reads");
        }
        List<Write> resolved = new ArrayList<>();
        for (Write w : writes) {
            requireCollectionName(w.collection());
            if (w.id() != null) {
                requireId(w.id());
            }
            if (w.data() != null) {
                requireDocument(w.data(), w.kind() == Write.Kind.PATCH);
            }
            resolved.add(w.id() == null ? new Write(w.kind(), w.collection(), newId(), w.data(), w.ifVersion()) : w);
        }
        for (Read r : reads) {
            requireCollectionName(r.collection());
            requireId(r.id());
        }
        Instant now = clock.instant();
        Map<String, Collection> collections = new LinkedHashMap<>();
        Map<String, Long> heads = new java.util.HashMap<>(); // each written collection's last seq
        // collections written to are locked first, in name order, so that two transactions over
        // the same collections never wait on each other in opposite orders
        java.util.SortedSet<String> written = new TreeSet<>();
        resolved.forEach(w -> written.add(w.collection()));
        List<Change> changes = db.inTransaction(c -> {
                collections.clear();
                for (String name : written) {
                    collections.put(name, collection(c, project, name, true));
                }
                for (Read r : reads) {
                    Collection col = collections.computeIfAbsent(r.collection(), n -> unchecked(() -> collection(c, project, n)));
                    Optional<Document> doc = load(c, project, r.collection(), r.id(), true);
                    if (access instanceof Access.EndUser user && !col.settings().rules.allows(Operation.READ, user.auth(),
                            doc.map(d -> Rules.resource(d.id(), d.data(), d.version())).orElse(null), null, now)) {
                        throw denied(Operation.READ, r.collection());
                    }
                    long current = doc.map(Document::version).orElse(0L);
                    if (current != r.version()) {
                        throw new ApiException(409, "TransactionConflict", r.collection() + "/" + r.id() + " is at version "
                                + current + ", the transaction read version " + r.version(),
                                Map.of("collection", r.collection(), "id", r.id(), "version", current));
                    }
                }
                List<Change> done = new ArrayList<>();
                heads.clear();
                for (Write w : resolved) {
                    Collection col = collections.computeIfAbsent(w.collection(), n -> unchecked(() -> collection(c, project, n)));
                    Change change = apply(c, access, project, col.settings(), w, now, hops);
                    heads.put(w.collection(), changeLog.append(c, change, now, col.settings().changesTopic != null));
                    done.add(change);
                }
                return done;
            });
        for (String name : new java.util.LinkedHashSet<>(changes.stream().map(Change::collection).toList())) {
            changeLog.committed(project, name, collections.get(name).settings().changesTopic, heads.get(name));
        }
        return changes;
    }

    private Change apply(Connection c, Access access, String project, CollectionSettings settings, Write w, Instant now,
            int hops) throws SQLException {
        Optional<Document> before = load(c, project, w.collection(), w.id(), true);
        if (w.ifVersion() != null) {
            long current = before.map(Document::version).orElse(0L);
            if (current != w.ifVersion()) {
                throw new ApiException(412, "PreconditionFailed", w.collection() + "/" + w.id() + " is at version "
                        + current + ", not " + w.ifVersion() + " (If-Match)", Map.of("version", current));
            }
        }
        RequestAuth auth = access instanceof Access.EndUser user ? user.auth() : null;
        boolean checked = access instanceof Access.EndUser;
        Map<String, Object> resource = before.map(d -> Rules.resource(d.id(), d.data(), d.version())).orElse(null);
        switch (w.kind()) {
            case DELETE -> {
                if (before.isEmpty()) {
                    if (checked && !settings.rules.allows(Operation.DELETE, auth, null, null, now)) {
                        throw denied(Operation.DELETE, w.collection());
                    }
                    throw documentNotFound(w.collection(), w.id());
                }
                if (checked && !settings.rules.allows(Operation.DELETE, auth, resource, null, now)) {
                    throw denied(Operation.DELETE, w.collection());
                }
                try (PreparedStatement d = c.prepareStatement(
                        "DELETE FROM db_documents WHERE project = ? AND collection = ? AND id = ?")) {
                    d.setString(1, project);
                    d.setString(2, w.collection());
                    d.setString(3, w.id());
                    d.executeUpdate();
                }
                count(c, project, w.collection(), -1, now);
                return new Change(project, w.collection(), w.id(), before.get(), null, hops);
            }
            case CREATE -> {
                if (before.isPresent()) {
                    throw ApiException.conflict("DocumentExists", w.collection() + "/" + w.id() + " exists already");
                }
            }
            case PATCH -> {
                if (before.isEmpty()) {
                    if (checked && !settings.rules.allows(Operation.UPDATE, auth, null, null, now)) {
                        throw denied(Operation.UPDATE, w.collection());
                    }
                    throw documentNotFound(w.collection(), w.id());
                }
            }
            case REPLACE -> {}
        }
        JsonNode data = w.kind() == Write.Kind.PATCH ? MergePatch.apply(before.get().data(), w.data()) : w.data();
        requireDocument(data, false);
        settings.validate(data);
        Operation op = before.isEmpty() ? Operation.CREATE : Operation.UPDATE;
        if (checked && !settings.rules.allows(op, auth, resource, data, now)) {
            throw denied(op, w.collection());
        }
        long millis = now.toEpochMilli();
        Document after;
        if (before.isEmpty()) {
            try (PreparedStatement i = c.prepareStatement("INSERT INTO db_documents (project, collection, id, data, version,"
                    + " created_at, updated_at) VALUES (?, ?, ?, " + dialect.jsonParam() + ", 1, ?, ?)")) {
                i.setString(1, project);
                i.setString(2, w.collection());
                i.setString(3, w.id());
                i.setString(4, data.toString());
                i.setLong(5, millis);
                i.setLong(6, millis);
                i.executeUpdate();
            } catch (SQLException e) {
                // a concurrent create of the same id that got in first (the collection lock makes this rare)
                if ("23505".equals(e.getSQLState()) || e.getErrorCode() == 19) {
                    throw ApiException.conflict("DocumentExists", w.collection() + "/" + w.id() + " exists already");
                }
                throw e;
            }
            count(c, project, w.collection(), 1, now);
            after = new Document(w.collection(), w.id(), data, 1, Instant.ofEpochMilli(millis), Instant.ofEpochMilli(millis));
        } else {
            Document b = before.get();
            try (PreparedStatement u = c.prepareStatement("UPDATE db_documents SET data = " + dialect.jsonParam()
                    + ", version = ?, updated_at = ? WHERE project = ? AND collection = ? AND id = ? AND version = ?")) {
                u.setString(1, data.toString());
                u.setLong(2, b.version() + 1);
                u.setLong(3, millis);
                u.setString(4, project);
                u.setString(5, w.collection());
                u.setString(6, w.id());
                u.setLong(7, b.version());
                if (u.executeUpdate() != 1) {
                    throw new ApiException(409, "TransactionConflict", w.collection() + "/" + w.id()
                            + " changed while it was being written");
                }
            }
            after = new Document(w.collection(), w.id(), data, b.version() + 1, b.createdAt(), Instant.ofEpochMilli(millis));
        }
        return new Change(project, w.collection(), w.id(), before.orElse(null), after, hops);
    }

    private void count(Connection c, String project, String collection, int delta, Instant now) throws SQLException {
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE db_collections SET doc_count = doc_count + ? WHERE project = ? AND name = ?")) {
            u.setInt(1, delta);
            u.setString(2, project);
            u.setString(3, collection);
            u.executeUpdate();
        }
    }

    private Optional<Document> load(Connection c, String project, String collection, String id, boolean forUpdate)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id, data, version, created_at, updated_at FROM db_documents"
                + " WHERE project = ? AND collection = ? AND id = ?"
                + (forUpdate && dialect == Dialect.POSTGRES ? " FOR UPDATE" : ""))) {
            s.setString(1, project);
            s.setString(2, collection);
            s.setString(3, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(row(collection, rs)) : Optional.empty();
            }
        }
    }

    private static Document row(String collection, ResultSet rs) throws SQLException {
        try {
            return new Document(collection, rs.getString(1), Json.MAPPER.readTree(rs.getString(2)), rs.getLong(3),
                    Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)));
        } catch (IOException e) {
            throw new IllegalStateException("stored documents are JSON", e);
        }
    }

    // --- queries ---

    /**
     * A query's answer: a page of documents and the cursor of the next page (null on the last),
     * or only the count when the query asked for it.
     */
    record Page(List<Document> documents, String nextCursor, Long count) {}

    /** Runs a query, or its count; end users only where the list rule holds for every possible result. */
    Page query(Access access, String project, String collection, Query asked) {
        requireCollectionName(collection);
        return db.withConnection(c -> {
            Collection col = collection(c, project, collection);
            Query query = asked;
            Rules.ListFilter filter = col.settings().rules.listFilter();
            if (access instanceof Access.EndUser user && filter != null) {
                // the list rule as a filter: ANDed to the query, so no query can widen it
                List<Query.Condition> rule = filter.conditions(user.auth(), clock.instant(), collection);
                for (Query.Condition r : rule) {
                    Query.Compare must = (Query.Compare) r;
                    // a query pinning the field to another value asks for what the rule forbids: said, not emptied
                    JsonNode pinned = asked.pinned().get(must.field());
                    ObjectNode probe = Json.MAPPER.createObjectNode();
                    if (pinned != null) {
                        put(probe, must.field(), pinned);
                    }
                    if (pinned != null && !QueryMatch.matches(must, probe)) {
                        throw new ApiException(403, "AccessDenied", "the list rule of collection " + collection
                                + " allows this user only documents whose " + must.field() + " is " + must.value()
                                + "; this query asks for " + pinned);
                    }
                }
                query = asked.and(rule);
            }
            List<String> missing = query.fields().stream().filter(f -> !col.settings().indexed(f)).toList();
            if (!missing.isEmpty() && col.count() > col.settings().scanThreshold) {
                throw new ApiException(400, "IndexRequired", "collection " + collection + " has " + col.count()
                        + " documents, more than its scanThreshold of " + col.settings().scanThreshold
                        + ", and no index covers " + missing + "; add " + (missing.size() == 1 ? "it" : "them")
                        + " to the collection's indexes (PUT /v1/projects/" + project + "/db/collections/" + collection
                        + " with \"indexes\": " + Json.MAPPER.valueToTree(missing) + ")",
                        Map.of("collection", collection, "missingIndexes", missing));
            }
            Instant now = clock.instant();
            RequestAuth auth = access instanceof Access.EndUser user ? user.auth() : null;
            boolean checked = access instanceof Access.EndUser;
            if (checked) {
                ObjectNode pinned = Json.MAPPER.createObjectNode();
                query.pinned().forEach((field, value) -> put(pinned, field, value));
                Map<String, Object> resource = new LinkedHashMap<>();
                resource.put("data", pinned);
                if (!col.settings().rules.allows(Operation.LIST, auth, resource, null, now)) {
                    throw new ApiException(403, "AccessDenied", "the list rule of collection " + collection
                            + " does not hold for every document this query could return; constrain the query with =="
                            + " on the fields the rule checks (a query is refused, never silently narrowed)");
                }
            }
            if (query.count()) {
                SqlQuery q = SqlQuery.count(dialect, project, collection, query);
                try (PreparedStatement s = c.prepareStatement(q.sql())) {
                    q.bind(s);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        return new Page(List.of(), null, rs.getLong(1));
                    }
                }
            }
            SqlQuery q = SqlQuery.select(dialect, project, collection, query);
            List<Document> docs = new ArrayList<>();
            String next = null;
            String lastCursor = null;
            try (PreparedStatement s = c.prepareStatement(q.sql())) {
                q.bind(s);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        if (docs.size() == query.limit()) {
                            next = lastCursor;
                            break;
                        }
                        docs.add(row(collection, rs));
                        lastCursor = new SqlQuery.Cursor(SqlQuery.fingerprint(query),
                                SqlQuery.keysOf(rs, query.orderBy().size()), rs.getString(1)).encode();
                    }
                }
            }
            if (checked) {
                for (Document d : docs) {
                    if (!col.settings().rules.allows(Operation.LIST, auth, Rules.resource(d.id(), d.data(), d.version()),
                            null, now)) {
                        throw denied(Operation.LIST, collection);
                    }
                }
            }
            return new Page(docs, next, null);
        });
    }

    private static void put(ObjectNode into, FieldPath field, JsonNode value) {
        ObjectNode node = into;
        List<String> segments = field.segments();
        for (int i = 0; i < segments.size() - 1; i++) {
            JsonNode child = node.get(segments.get(i));
            node = child instanceof ObjectNode o ? o : node.putObject(segments.get(i));
        }
        node.set(segments.getLast(), value);
    }

    /**
     * Ends the realtime streams so that the edge can stop without waiting for them; clients
     * reconnect (to another node) with their Last-Event-ID.
     */
    public void stopListeners() {
        changeLog.close();
    }

    /** The collection's rules now (for realtime listeners, judged at every event). */
    Rules rules(String project, String collection) {
        return db.withConnection(c -> collection(c, project, collection)).settings().rules;
    }

    /**
     * A realtime subscription to a collection's changes after {@code after} (null: from now on),
     * of the whole collection, one document or a query's matches. An end user subscribing to a
     * query is held to the list rule as a query is (refused, never narrowed).
     */
    ChangeStream listen(Access access, String project, String collection, ChangeStream.Target target, Long after) {
        getCollection(project, collection); // 404 for a collection that does not exist, not an endless stream
        if (target.documentId() != null) {
            requireId(target.documentId());
        }
        if (access instanceof Access.EndUser user && !rules(project, collection).has(Operation.READ)) {
            throw denied(Operation.READ, collection);
        }
        return new ChangeStream(this, access, project, collection, target, after, clock);
    }

    /**
     * The initial result of a subscription: the document (none when absent), or the query's first
     * page. Read after the subscription took its position, so a write in between is both in the
     * result and among the changes that follow (at least once; versions tell them apart).
     */
    List<Document> snapshot(Access access, String project, String collection, ChangeStream.Target target, Query query) {
        if (target.documentId() != null) {
            try {
                return List.of(get(access, project, collection, target.documentId()));
            } catch (ApiException e) {
                if (e.status() == 404 && "DocumentNotFound".equals(e.code())) {
                    return List.of();
                }
                throw e;
            }
        }
        return query(access, project, collection, query).documents();
    }

    // --- checks ---

    private String newId() {
        StringBuilder id = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    static void requireCollectionName(String name) {
        if (name == null || !COLLECTION.matcher(name).matches()) {
            throw ApiException.badRequest("InvalidCollectionName", "a collection name is 1-128 letters, digits, '_' or"
                    + " '-', starting with a letter");
        }
    }

    static void requireId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiException.badRequest("InvalidDocumentId", "a document id is 1-256 letters, digits, '_', '-', '.'"
                    + " or '~', not starting with '.'");
        }
    }

    static void requireDocument(JsonNode data, boolean patch) {
        if (data == null || !data.isObject()) {
            throw ApiException.badRequest("InvalidDocument", (patch ? "a merge patch" : "a document") + " must be a JSON object");
        }
        int size = Json.write(data).length;
        if (size > MAX_DOCUMENT_BYTES) {
            throw new ApiException(413, "DocumentTooLarge", "a document is limited to " + MAX_DOCUMENT_BYTES
                    + " bytes of JSON, this one has " + size);
        }
    }

    private static ApiException collectionNotFound(String name) {
        return new ApiException(404, "CollectionNotFound", "collection " + name + " does not exist");
    }

    private static ApiException documentNotFound(String collection, String id) {
        return new ApiException(404, "DocumentNotFound", collection + "/" + id + " does not exist");
    }

    private static ApiException denied(Operation op, String collection) {
        return new ApiException(403, "AccessDenied", "the " + op.key() + " rule of collection " + collection
                + " does not allow this request");
    }

    private interface SqlSupplier<T> {
        T get() throws SQLException;
    }

    private static <T> T unchecked(SqlSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (SQLException e) {
            throw new dev.cumulus.store.StoreException(e);
        }
    }
}
