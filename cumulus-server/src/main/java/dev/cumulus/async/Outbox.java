package dev.cumulus.async;

import dev.cumulus.async.DeliveryStateMachine.Outcome;
import dev.cumulus.async.DeliveryStateMachine.State;
import dev.cumulus.async.DeliveryStateMachine.Transition;
import dev.cumulus.async.OutboxRow.TargetKind;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.store.Database;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code async_events} and {@code async_attempts} tables. Every write that moves an event is
 * one transaction, and conditional on the state (and lease) the caller saw, so two nodes of a
 * cluster never both move one event.
 */
final class Outbox {
    private static final String COLUMNS = """
            request_id, project, target_kind, target, function_name, idempotency_key, origin_id, cloud_event,
            data, payload_format, state, attempts, tries, created_at, next_attempt_at, updated_at, error_type,
            error_message""";
    private static final String TERMINAL = "('succeeded', 'failed', 'dead-lettered')";

    private final Database db;

    Outbox(Database db) {
        this.db = db;
    }

    /** The request id of the stored event, and whether it was stored earlier under the same idempotency key. */
    record Inserted(String requestId, boolean duplicate) {}

    /** Stores a new event durably; one with the idempotency key of a kept event is not stored again. */
    Inserted insert(OutboxRow row) {
        return db.inTransaction(c -> store(c, row));
    }

    /**
     * Like {@link #insert(OutboxRow)}, unless the row's function already has {@code maxPending}
     * events waiting (queued, running or waiting for a retry): then only a duplicate of a kept
     * event is answered, and anything new is refused. Nodes inserting at the same moment may
     * each see room for one more, so the cap can be passed by as many events as there are
     * concurrent writers; it bounds a flood, not an exact count.
     */
    Inserted insert(OutboxRow row, int maxPending) {
        return db.inTransaction(c -> {
            if (pending(c, row.project(), row.functionName()) >= maxPending) {
                return duplicate(c, row).orElseThrow(() -> new ApiException(429, "TooManyPendingEvents",
                        "function " + row.functionName() + " already has " + maxPending
                                + " asynchronous events waiting for delivery; try again once it has caught up"));
            }
            return store(c, row);
        });
    }

    private static Inserted store(Connection c, OutboxRow row) throws SQLException {
        if (insert(c, row) == 1) {
            return new Inserted(row.requestId(), false);
        }
        return duplicate(c, row).orElseThrow(() -> new IllegalStateException(row.idempotencyKey() == null
                ? "request id " + row.requestId() + " is already taken"
                : "an insert conflicted with no row"));
    }

    private static int pending(Connection c, String project, String functionName) throws SQLException {
        try (PreparedStatement count = c.prepareStatement("""
                SELECT COUNT(*) FROM async_events
                WHERE project = ? AND function_name = ? AND state NOT IN """ + TERMINAL)) {
            count.setString(1, project);
            count.setString(2, functionName);
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The kept event with the row's idempotency key, if it has one. */
    private static Optional<Inserted> duplicate(Connection c, OutboxRow row) throws SQLException {
        if (row.idempotencyKey() == null) {
            return Optional.empty();
        }
        try (PreparedStatement select = c.prepareStatement("""
                SELECT request_id FROM async_events
                WHERE project = ? AND function_name = ? AND idempotency_key = ?""")) {
            select.setString(1, row.project());
            select.setString(2, row.functionName());
            select.setString(3, row.idempotencyKey());
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(new Inserted(rs.getString(1), true)) : Optional.empty();
            }
        }
    }

    private static int insert(Connection c, OutboxRow row) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO async_events (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, row.requestId());
            insert.setString(2, row.project());
            insert.setString(3, row.kind().name().toLowerCase(java.util.Locale.ROOT));
            insert.setString(4, row.target());
            insert.setString(5, row.functionName());
            insert.setString(6, row.idempotencyKey());
            insert.setString(7, row.originId());
            insert.setString(8, row.event().attributesJson());
            insert.setString(9, new String(row.event().data(), StandardCharsets.UTF_8));
            insert.setString(10, row.format().name().toLowerCase(java.util.Locale.ROOT));
            insert.setString(11, row.state().wire());
            insert.setInt(12, row.attempts());
            insert.setInt(13, row.tries());
            insert.setLong(14, row.createdAt().toEpochMilli());
            insert.setLong(15, row.nextAttemptAt().toEpochMilli());
            insert.setLong(16, row.updatedAt().toEpochMilli());
            insert.setString(17, row.errorType());
            insert.setString(18, row.errorMessage());
            return insert.executeUpdate();
        }
    }

    /**
     * Takes up to {@code limit} due events for {@code owner} until {@code leaseUntil}: queued and
     * retry-wait ones whose time has come, and running ones whose owner's lease ran out (that node
     * died; their try is recorded as interrupted and they run again).
     */
    List<OutboxRow> claim(String owner, Instant now, Instant leaseUntil, int limit) {
        return db.inTransaction(c -> {
            List<OutboxRow> candidates = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + """
                     FROM async_events
                    WHERE (state IN ('queued', 'retry-wait') AND next_attempt_at <= ?)
                       OR (state = 'running' AND lease_until < ?)
                    ORDER BY next_attempt_at LIMIT ?""")) {
                select.setLong(1, now.toEpochMilli());
                select.setLong(2, now.toEpochMilli());
                select.setInt(3, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(row(rs));
                    }
                }
            }
            List<OutboxRow> claimed = new ArrayList<>();
            for (OutboxRow row : candidates) {
                OutboxRow current = row;
                if (row.state() == State.RUNNING) {
                    if (!recover(c, row, null, now)) {
                        continue;
                    }
                    current = moved(row, DeliveryStateMachine.recover(row.state(), row.attempts(), now), now, 1);
                }
                Transition t = DeliveryStateMachine.claim(current.state(), current.attempts());
                try (PreparedStatement update = c.prepareStatement("""
                        UPDATE async_events SET state = ?, lease_owner = ?, lease_until = ?, updated_at = ?
                        WHERE request_id = ? AND state = ?""")) {
                    update.setString(1, t.state().wire());
                    update.setString(2, owner);
                    update.setLong(3, leaseUntil.toEpochMilli());
                    update.setLong(4, now.toEpochMilli());
                    update.setString(5, row.requestId());
                    update.setString(6, current.state().wire());
                    if (update.executeUpdate() == 1) {
                        claimed.add(moved(current, t, now, 0));
                    }
                }
            }
            return claimed;
        });
    }

    /**
     * Puts the running events of {@code owner} back in the queue, as a node does at start for what
     * it was running when it stopped or died. Returns how many.
     */
    int recoverOwned(String owner, Instant now) {
        return db.inTransaction(c -> {
            List<OutboxRow> running = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM async_events WHERE state = 'running' AND lease_owner = ?")) {
                select.setString(1, owner);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        running.add(row(rs));
                    }
                }
            }
            int recovered = 0;
            for (OutboxRow row : running) {
                if (recover(c, row, owner, now)) {
                    recovered++;
                }
            }
            return recovered;
        });
    }

    /** Records the interrupted try of a running event and queues it again; false if it moved meanwhile. */
    private static boolean recover(Connection c, OutboxRow row, String owner, Instant now) throws SQLException {
        Transition t = DeliveryStateMachine.recover(row.state(), row.attempts(), now);
        try (PreparedStatement update = c.prepareStatement("""
                UPDATE async_events SET state = ?, next_attempt_at = ?, tries = tries + 1, updated_at = ?,
                    lease_owner = NULL, lease_until = NULL
                WHERE request_id = ? AND state = 'running' AND updated_at = ?"""
                + (owner != null ? " AND lease_owner = ?" : ""))) {
            update.setString(1, t.state().wire());
            update.setLong(2, t.nextAttemptAt().toEpochMilli());
            update.setLong(3, now.toEpochMilli());
            update.setString(4, row.requestId());
            update.setLong(5, row.updatedAt().toEpochMilli());
            if (owner != null) {
                update.setString(6, owner);
            }
            if (update.executeUpdate() != 1) {
                return false;
            }
        }
        // a running row's updated_at is when its try started
        insertAttempt(c, row.requestId(), new Attempt(row.tries() + 1, row.updatedAt(), now,
                new Outcome.Interrupted().label(), null, null, null));
        return true;
    }

    /**
     * Stores the end of a try in one transaction: the event's new state, the attempt, and the
     * destination event it hands its outcome to, if any. False when the event is no longer this
     * owner's (its lease ran out and another node took it): then nothing is written.
     */
    boolean settle(OutboxRow row, String owner, Attempt attempt, Transition t, OutboxRow destination) {
        return db.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("""
                    UPDATE async_events SET state = ?, attempts = ?, tries = tries + 1, next_attempt_at = ?,
                        updated_at = ?, error_type = ?, error_message = ?, lease_owner = NULL, lease_until = NULL
                    WHERE request_id = ? AND state = 'running' AND lease_owner = ?""")) {
                update.setString(1, t.state().wire());
                update.setInt(2, t.attempts());
                update.setLong(3, (t.nextAttemptAt() != null ? t.nextAttemptAt() : attempt.endedAt()).toEpochMilli());
                update.setLong(4, attempt.endedAt().toEpochMilli());
                update.setString(5, t.errorType());
                update.setString(6, t.errorMessage());
                update.setString(7, row.requestId());
                update.setString(8, owner);
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            insertAttempt(c, row.requestId(), attempt);
            if (destination != null && insert(c, destination) != 1) {
                throw new IllegalStateException("destination event " + destination.requestId() + " was not stored");
            }
            return true;
        });
    }

    private static void insertAttempt(Connection c, String requestId, Attempt a) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO async_attempts (request_id, try_number, started_at, ended_at, outcome, version,
                    error_type, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, requestId);
            insert.setInt(2, a.tryNumber());
            insert.setLong(3, a.startedAt().toEpochMilli());
            insert.setLong(4, a.endedAt().toEpochMilli());
            insert.setString(5, a.outcome());
            insert.setString(6, a.version());
            insert.setString(7, a.errorType());
            insert.setString(8, a.errorMessage());
            insert.executeUpdate();
        }
    }

    Optional<OutboxRow> find(String requestId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM async_events WHERE request_id = ?")) {
                select.setString(1, requestId);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? Optional.of(row(rs)) : Optional.<OutboxRow>empty();
                }
            }
        });
    }

    List<Attempt> attempts(String requestId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT try_number, started_at, ended_at, outcome, version, error_type, error_message
                    FROM async_attempts WHERE request_id = ? ORDER BY try_number""")) {
                select.setString(1, requestId);
                List<Attempt> list = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        list.add(new Attempt(rs.getInt(1), Instant.ofEpochMilli(rs.getLong(2)),
                                Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4), rs.getString(5), rs.getString(6),
                                rs.getString(7)));
                    }
                }
                return list;
            }
        });
    }

    /** The function's most recent events, newest first; {@code state} null for any. */
    List<OutboxRow> recent(String project, String functionName, State state, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM async_events WHERE project = ? AND function_name = ?"
                    + (state != null ? " AND state = ?" : "")
                    + " ORDER BY created_at DESC, request_id LIMIT ?")) {
                int i = 1;
                select.setString(i++, project);
                select.setString(i++, functionName);
                if (state != null) {
                    select.setString(i++, state.wire());
                }
                select.setInt(i, limit);
                List<OutboxRow> list = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        list.add(row(rs));
                    }
                }
                return list;
            }
        });
    }

    /** The destination deliveries that carry the outcome of {@code requestId}. */
    List<OutboxRow> carrying(String requestId) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM async_events WHERE origin_id = ? ORDER BY created_at")) {
                select.setString(1, requestId);
                List<OutboxRow> list = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        list.add(row(rs));
                    }
                }
                return list;
            }
        });
    }

    /** When the next queued or retry-wait event falls due, or a running one's lease runs out. */
    Optional<Instant> nextDue() {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT MIN(CASE WHEN state = 'running' THEN lease_until ELSE next_attempt_at END)
                    FROM async_events WHERE state IN ('queued', 'retry-wait', 'running')""");
                    ResultSet rs = select.executeQuery()) {
                rs.next();
                long due = rs.getLong(1);
                return rs.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(due));
            }
        });
    }

    /** Deletes events that ended before {@code before}, with their attempts. Returns how many events. */
    int purge(Instant before) {
        return db.inTransaction(c -> {
            try (PreparedStatement attempts = c.prepareStatement("DELETE FROM async_attempts WHERE request_id IN"
                    + " (SELECT request_id FROM async_events WHERE state IN " + TERMINAL + " AND updated_at < ?)");
                    PreparedStatement events = c.prepareStatement(
                            "DELETE FROM async_events WHERE state IN " + TERMINAL + " AND updated_at < ?")) {
                attempts.setLong(1, before.toEpochMilli());
                attempts.executeUpdate();
                events.setLong(1, before.toEpochMilli());
                return events.executeUpdate();
            }
        });
    }

    private static OutboxRow moved(OutboxRow row, Transition t, Instant now, int extraTries) {
        return new OutboxRow(row.requestId(), row.project(), row.kind(), row.target(), row.functionName(),
                row.idempotencyKey(), row.originId(), row.event(), row.format(), t.state(), t.attempts(),
                row.tries() + extraTries, row.createdAt(), t.nextAttemptAt() != null ? t.nextAttemptAt() : now, now,
                row.errorType(), row.errorMessage());
    }

    private static OutboxRow row(ResultSet rs) throws SQLException {
        byte[] data = rs.getString("data").getBytes(StandardCharsets.UTF_8);
        return new OutboxRow(rs.getString("request_id"), rs.getString("project"),
                TargetKind.valueOf(rs.getString("target_kind").toUpperCase(java.util.Locale.ROOT)),
                rs.getString("target"), rs.getString("function_name"), rs.getString("idempotency_key"),
                rs.getString("origin_id"), CloudEvent.of(rs.getString("cloud_event"), data),
                PayloadFormat.valueOf(rs.getString("payload_format").toUpperCase(java.util.Locale.ROOT)),
                State.ofWire(rs.getString("state")), rs.getInt("attempts"), rs.getInt("tries"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("next_attempt_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")), rs.getString("error_type"), rs.getString("error_message"));
    }
}
