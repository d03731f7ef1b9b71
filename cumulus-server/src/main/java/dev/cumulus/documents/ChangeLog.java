package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.cluster.ClusterBus;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every committed write as a row of {@code db_changes}, written in the write's transaction and
 * numbered per collection in commit order; then published to the collection's changes topic and
 * read by realtime listeners. Publishing drains a collection's unpublished rows in order under one
 * lock, so a node publishes each collection's (and so each document's) changes in commit order;
 * what a crash left unpublished goes out when the node starts again ({@link #recover}). The event
 * id is fixed per row, so publishing a row twice delivers it to each subscriber once (the topics'
 * idempotency keys).
 *
 * <p>After a commit the node wakes its own listeners and tells the other nodes on the cluster bus
 * ({@link #NOTICES}), whose listeners then read the shared log at once (ADR 0041). The notice only
 * says "look": the log stays the truth, so a notice lost on the way delays an event until the
 * listener's next periodic look, never loses it.
 */
final class ChangeLog {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeLog.class);
    static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    static final int BATCH = 100;
    /** Subjects of the cluster notices: {@code cumulus.db.changes.<project>.<collection>}, as tokens. */
    static final String NOTICES = "cumulus.db.changes";

    /** A row of the log, as listeners get it. */
    record Entry(long seq, String type, String docId, JsonNode event) {}

    private final Database db;
    private final TopicSink topics;
    private final Clock clock;
    private final Duration retention;
    private final ClusterBus cluster;
    private final Map<String, ReentrantLock> draining = new ConcurrentHashMap<>();
    private final Map<String, Signal> signals = new ConcurrentHashMap<>();
    private volatile long lastPrune;

    ChangeLog(Database db, TopicSink topics, Clock clock, Duration retention, ClusterBus cluster) {
        this.db = db;
        this.cluster = cluster;
        this.topics = topics;
        this.clock = clock;
        this.retention = retention;
    }

    /**
     * Appends a change in the write's transaction: takes the collection's next seq. A collection
     * without a changes topic has nothing to publish: its row is born published.
     */
    long append(Connection c, Documents.Change ch, Instant now, boolean toPublish) throws SQLException {
        try (PreparedStatement u = c.prepareStatement(
                "UPDATE db_collections SET change_seq = change_seq + 1 WHERE project = ? AND name = ?")) {
            u.setString(1, ch.project());
            u.setString(2, ch.collection());
            u.executeUpdate();
        }
        long seq;
        long epoch;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT change_seq, created_at FROM db_collections WHERE project = ? AND name = ?")) {
            s.setString(1, ch.project());
            s.setString(2, ch.collection());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
                epoch = rs.getLong(2);
            }
        }
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("type", ch.type());
        event.put("project", ch.project());
        event.put("collection", ch.collection());
        event.put("id", ch.id());
        event.set("before", ch.before() == null ? null : Json.MAPPER.valueToTree(ch.before().view()));
        event.set("after", ch.after() == null ? null : Json.MAPPER.valueToTree(ch.after().view()));
        event.put("hops", ch.hops() + 1);
        event.put("seq", seq);
        // the collection's creation time tells a recreated collection's seq 1 from the old one's
        event.put("epoch", epoch);
        try (PreparedStatement i = c.prepareStatement("INSERT INTO db_changes (project, collection, seq, doc_id, type,"
                + " event, created_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            i.setString(1, ch.project());
            i.setString(2, ch.collection());
            i.setLong(3, seq);
            i.setString(4, ch.id());
            i.setString(5, ch.type());
            i.setString(6, event.toString());
            i.setLong(7, now.toEpochMilli());
            if (toPublish) {
                i.setNull(8, java.sql.Types.BIGINT);
            } else {
                i.setLong(8, now.toEpochMilli());
            }
            i.executeUpdate();
        }
        return seq;
    }

    /**
     * After a commit: wakes the collection's listeners here and on the other nodes, and publishes
     * what is unpublished, in order.
     *
     * @param seq the collection's last seq the commit wrote
     */
    void committed(String project, String collection, String changesTopic, long seq) {
        signal(project, collection);
        ObjectNode notice = Json.MAPPER.createObjectNode().put("project", project).put("collection", collection)
                .put("seq", seq).put("node", cluster.nodeId());
        cluster.publish(subject(project, collection), Json.write(notice));
        if (changesTopic != null) {
            drain(project, collection, changesTopic);
        } else {
            pruneNowAndThen();
        }
    }

    private void drain(String project, String collection, String changesTopic) {
        ReentrantLock lock = draining.computeIfAbsent(project + "\u0000" + collection, k -> new ReentrantLock());
        lock.lock();
        try {
            while (true) {
                List<Entry> pending = db.withConnection(c -> {
                    try (PreparedStatement s = c.prepareStatement("SELECT seq, type, doc_id, event, created_at FROM db_changes"
                            + " WHERE published_at IS NULL AND project = ? AND collection = ? ORDER BY seq LIMIT " + BATCH)) {
                        s.setString(1, project);
                        s.setString(2, collection);
                        return entries(s);
                    }
                });
                if (pending.isEmpty()) {
                    break;
                }
                for (Entry e : pending) {
                    if (changesTopic != null && !publish(project, collection, changesTopic, e)) {
                        return; // left for the next write or the next start, still in order
                    }
                    db.withConnection(c -> {
                        try (PreparedStatement u = c.prepareStatement("UPDATE db_changes SET published_at = ?"
                                + " WHERE project = ? AND collection = ? AND seq = ?")) {
                            u.setLong(1, clock.millis());
                            u.setString(2, project);
                            u.setString(3, collection);
                            u.setLong(4, e.seq());
                            return u.executeUpdate();
                        }
                    });
                }
            }
        } finally {
            lock.unlock();
        }
        pruneNowAndThen();
    }

    /** @return false when the topic could not take it now (tried again later) */
    private boolean publish(String project, String collection, String topic, Entry e) {
        String id = "db:" + project + ":" + collection + ":" + e.event().path("epoch").asLong() + ":" + e.seq();
        CloudEvent event = new CloudEvent(id, "/db/" + project + "/" + collection, e.type(), collection + "/" + e.docId(),
                Instant.ofEpochMilli(e.event().path("time").asLong(clock.millis())), Json.write(e.event()));
        try {
            topics.publish(project, topic, event);
            return true;
        } catch (ApiException refused) {
            // a topic that does not exist cannot take it now or later: said loudly, then passed
            LOG.warn("db {}/{}: change {} ({} of {}) not published, topic {}: {}", project, collection, e.seq(), e.type(),
                    e.docId(), topic, refused.getMessage());
            return refused.status() == 404;
        } catch (RuntimeException failed) {
            LOG.warn("db {}/{}: change {} not published to topic {} yet: {}", project, collection, e.seq(), topic,
                    failed.toString());
            return false;
        }
    }

    static String subject(String project, String collection) {
        return NOTICES + "." + ClusterBus.token(project) + "." + ClusterBus.token(collection);
    }

    /** Wakes the listeners of the collection another node's notice names; close the result to stop. */
    AutoCloseable hearOtherNodes() {
        return cluster.subscribe(NOTICES + ".>", notice -> {
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(notice.body());
            } catch (IOException e) {
                LOG.warn("cluster notice on {} is not JSON; ignored", notice.subject());
                return;
            }
            if (n == null || !n.path("project").isTextual() || !n.path("collection").isTextual()) {
                LOG.warn("cluster notice on {} names no collection; ignored", notice.subject());
                return;
            }
            signal(n.get("project").asText(), n.get("collection").asText());
        });
    }

    /** Publishes what a previous run committed but did not publish (a crash between commit and publish). */
    void recover(java.util.function.BiFunction<String, String, String> topicOf) {
        List<String[]> pairs = db.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT DISTINCT project, collection FROM db_changes WHERE published_at IS NULL")) {
                try (ResultSet rs = s.executeQuery()) {
                    List<String[]> found = new ArrayList<>();
                    while (rs.next()) {
                        found.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                    return found;
                }
            }
        });
        for (String[] p : pairs) {
            drain(p[0], p[1], topicOf.apply(p[0], p[1]));
        }
    }

    /** Up to {@code limit} changes after {@code seq}, oldest first. */
    List<Entry> after(String project, String collection, long seq, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT seq, type, doc_id, event, created_at FROM db_changes"
                    + " WHERE project = ? AND collection = ? AND seq > ? ORDER BY seq LIMIT ?")) {
                s.setString(1, project);
                s.setString(2, collection);
                s.setLong(3, seq);
                s.setInt(4, limit);
                return entries(s);
            }
        });
    }

    /** The collection's last seq, and the oldest still kept (or -1 when none is). */
    long[] bounds(String project, String collection) {
        return db.withConnection(c -> {
            long head;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT change_seq FROM db_collections WHERE project = ? AND name = ?")) {
                s.setString(1, project);
                s.setString(2, collection);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        throw new ApiException(404, "CollectionNotFound", "collection " + collection + " does not exist");
                    }
                    head = rs.getLong(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT MIN(seq) FROM db_changes WHERE project = ? AND collection = ?")) {
                s.setString(1, project);
                s.setString(2, collection);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    long oldest = rs.getLong(1);
                    return new long[] {head, rs.wasNull() ? -1 : oldest};
                }
            }
        });
    }

    /** A collection's wake-ups so far: read before looking at the log, handed to {@link #await}. */
    long signals(String project, String collection) {
        Signal signal = signals.computeIfAbsent(project + "\u0000" + collection, k -> new Signal());
        synchronized (signal) {
            return signal.count;
        }
    }

    /**
     * Waits until the collection may have changes after the look that followed {@link #signals}
     * returned {@code seen}, at most {@code wait}: a wake-up in between (the look raced a commit)
     * returns at once instead of being missed.
     */
    void await(String project, String collection, long seen, Duration wait) throws InterruptedException {
        Signal signal = signals.computeIfAbsent(project + "\u0000" + collection, k -> new Signal());
        synchronized (signal) {
            if (!closed && signal.count == seen) {
                signal.wait(Math.max(1, wait.toMillis()));
            }
        }
    }

    /** A collection's wake-ups, counted so that a listener notices one that came while it looked. */
    private static final class Signal {
        long count;
    }

    private volatile boolean closed;

    /** Ends every listener's wait for good: the node is stopping. */
    void close() {
        closed = true;
        wakers.values().forEach(set -> set.forEach(Runnable::run));
        for (Signal signal : signals.values()) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    boolean closed() {
        return closed;
    }

    private void signal(String project, String collection) {
        String key = project + "\u0000" + collection;
        Signal signal = signals.get(key);
        if (signal != null) {
            synchronized (signal) {
                signal.count++;
                signal.notifyAll();
            }
        }
        java.util.Set<Runnable> wake = wakers.get(key);
        if (wake != null) {
            wake.forEach(Runnable::run);
        }
    }

    /** Who waits on several collections at once (a WebSocket's subscriptions): run after each local commit. */
    private final Map<String, java.util.Set<Runnable>> wakers = new ConcurrentHashMap<>();

    /** Runs {@code waker} after every local commit to the collection until the returned handle is run. */
    Runnable watch(String project, String collection, Runnable waker) {
        String key = project + "\u0000" + collection;
        wakers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(waker);
        return () -> wakers.computeIfPresent(key, (k, set) -> {
            set.remove(waker);
            return set.isEmpty() ? null : set;
        });
    }

    /** Drops published changes older than the retention window; listeners further behind must resync. */
    void prune() {
        long before = clock.millis() - retention.toMillis();
        db.withConnection(c -> {
            try (PreparedStatement d = c.prepareStatement(
                    "DELETE FROM db_changes WHERE published_at IS NOT NULL AND created_at < ?")) {
                d.setLong(1, before);
                return d.executeUpdate();
            }
        });
    }

    private void pruneNowAndThen() {
        long now = clock.millis();
        if (now - lastPrune > Duration.ofMinutes(1).toMillis()) {
            lastPrune = now;
            prune();
        }
    }

    void forget(Connection c, String project, String collection) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("DELETE FROM db_changes WHERE project = ? AND collection = ?")) {
            d.setString(1, project);
            d.setString(2, collection);
            d.executeUpdate();
        }
    }

    private static List<Entry> entries(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            List<Entry> found = new ArrayList<>();
            while (rs.next()) {
                ObjectNode event = (ObjectNode) Json.MAPPER.readTree(rs.getString(4));
                event.put("time", rs.getLong(5));
                found.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), event));
            }
            return found;
        } catch (IOException e) {
            throw new IllegalStateException("stored change events are JSON", e);
        }
    }
}
