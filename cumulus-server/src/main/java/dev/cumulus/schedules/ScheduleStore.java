package dev.cumulus.schedules;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Schedules and their recent ticks in the node's database (plain JDBC, SQLite and PostgreSQL alike). */
final class ScheduleStore {
    /** ticks kept per schedule; older rows are pruned as new ones come */
    static final int TICKS_KEPT = 200;
    private static final String COLUMNS = "id, project, name, function_name, expression, time_zone, payload, catch_up, "
            + "enabled, anchor_ms, next_due_ms, fired_ticks, skipped_ticks, last_fired_ms, created_at, updated_at";

    /** One recorded tick. {@code outcome}: claimed, sent, failed or skipped. */
    record Tick(String scheduleId, Instant tick, String outcome, long skipped, String requestId, String message,
            Instant claimedAt) {}

    /** A claimed tick not yet handed over, with its schedule. */
    record Pending(Schedule schedule, Instant tick) {}

    enum Claim {
        /** the tick is this caller's to fire (or to record as skipped) */
        CLAIMED,
        /** another dispatcher moved the schedule on (or it was disabled or deleted) first */
        LOST
    }

    private final Database db;

    ScheduleStore(Database db) {
        this.db = db;
    }

    Schedule create(Schedule s) {
        return db.inTransaction(c -> {
            if (find(c, s.project(), s.name()).isPresent()) {
                throw ApiException.conflict("ScheduleExists", "schedule " + s.name() + " already exists");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO schedules (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, s.id());
                insert.setString(2, s.project());
                insert.setString(3, s.name());
                insert.setString(4, s.function());
                insert.setString(5, s.expression());
                insert.setString(6, s.timeZone().getId());
                insert.setString(7, s.payload());
                insert.setString(8, CatchUp.format(s.catchUp()));
                insert.setBoolean(9, s.enabled());
                insert.setLong(10, s.anchor().toEpochMilli());
                insert.setLong(11, s.nextDue().toEpochMilli());
                insert.setLong(12, s.firedTicks());
                insert.setLong(13, s.skippedTicks());
                setInstant(insert, 14, s.lastFired());
                insert.setLong(15, s.createdAt().toEpochMilli());
                insert.setLong(16, s.updatedAt().toEpochMilli());
                insert.executeUpdate();
            }
            return s;
        });
    }

    List<Schedule> list(String project) {
        return db.withConnection(c -> query(c, "SELECT " + COLUMNS + " FROM schedules WHERE project = ? ORDER BY name",
                project));
    }

    Optional<Schedule> get(String project, String name) {
        return db.withConnection(c -> find(c, project, name));
    }

    boolean delete(String project, String name) {
        return db.inTransaction(c -> {
            Optional<Schedule> s = find(c, project, name);
            if (s.isEmpty()) return false;
            // the ticks go first: SQLite enforces the cascade only with foreign keys on, which a
            // shared database need not have
            try (PreparedStatement ticks = c.prepareStatement("DELETE FROM schedule_ticks WHERE schedule_id = ?");
                    PreparedStatement row = c.prepareStatement("DELETE FROM schedules WHERE id = ?")) {
                ticks.setString(1, s.get().id());
                ticks.executeUpdate();
                row.setString(1, s.get().id());
                return row.executeUpdate() > 0;
            }
        });
    }

    /** Enables (starting again at {@code nextDue}) or disables; empty when there is no such schedule. */
    Optional<Schedule> setEnabled(String project, String name, boolean enabled, Instant nextDue, Instant now) {
        return db.inTransaction(c -> {
            Optional<Schedule> s = find(c, project, name);
            if (s.isEmpty() || s.get().enabled() == enabled) {
                return s;
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE schedules SET enabled = ?, next_due_ms = ?, updated_at = ? WHERE id = ?")) {
                update.setBoolean(1, enabled);
                update.setLong(2, (enabled ? nextDue : s.get().nextDue()).toEpochMilli());
                update.setLong(3, now.toEpochMilli());
                update.setString(4, s.get().id());
                update.executeUpdate();
            }
            return find(c, project, name);
        });
    }

    /** Enabled schedules whose next tick is due at {@code now}, earliest first. */
    List<Schedule> due(Instant now, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM schedules WHERE enabled = ? AND next_due_ms <= ? ORDER BY next_due_ms LIMIT " + limit)) {
                select.setBoolean(1, true);
                select.setLong(2, now.toEpochMilli());
                return read(select);
            }
        });
    }

    /** The earliest next tick of any enabled schedule. */
    Optional<Instant> earliestDue() {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT MIN(next_due_ms) FROM schedules WHERE enabled = ?")) {
                select.setBoolean(1, true);
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    long min = rs.getLong(1);
                    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(min));
                }
            }
        });
    }

    /**
     * Moves {@code s} from its {@code nextDue} to {@code newNextDue} and records {@code tick}, as
     * one transaction guarded by a compare-and-set on the old next tick: of two dispatchers (or a
     * dispatcher before and after a restart) exactly one claims a tick.
     *
     * @param fire    whether {@code tick} fires; else it is recorded as skipped
     * @param skipped how many ticks before {@code tick} (plus {@code tick} itself when not fired) were missed
     */
    Claim claim(Schedule s, Instant newNextDue, Instant tick, boolean fire, long skipped, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE schedules SET next_due_ms = ?, "
                    + "fired_ticks = fired_ticks + ?, skipped_ticks = skipped_ticks + ?, "
                    + "last_fired_ms = CASE WHEN ? THEN ? ELSE last_fired_ms END, updated_at = ? "
                    + "WHERE id = ? AND next_due_ms = ? AND enabled = ?")) {
                update.setLong(1, newNextDue.toEpochMilli());
                update.setLong(2, fire ? 1 : 0);
                update.setLong(3, skipped);
                update.setBoolean(4, fire);
                update.setLong(5, tick.toEpochMilli());
                update.setLong(6, now.toEpochMilli());
                update.setString(7, s.id());
                update.setLong(8, s.nextDue().toEpochMilli());
                update.setBoolean(9, true);
                if (update.executeUpdate() == 0) {
                    return Claim.LOST;
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO schedule_ticks (schedule_id, tick_ms, outcome, "
                    + "skipped, request_id, message, claimed_at) VALUES (?, ?, ?, ?, NULL, NULL, ?)")) {
                insert.setString(1, s.id());
                insert.setLong(2, tick.toEpochMilli());
                insert.setString(3, fire ? "claimed" : "skipped");
                insert.setLong(4, skipped);
                insert.setLong(5, now.toEpochMilli());
                insert.executeUpdate();
            }
            try (PreparedStatement prune = c.prepareStatement("DELETE FROM schedule_ticks WHERE schedule_id = ? AND tick_ms < "
                    + "(SELECT tick_ms FROM schedule_ticks WHERE schedule_id = ? ORDER BY tick_ms DESC LIMIT 1 OFFSET "
                    + (TICKS_KEPT - 1) + ")")) {
                prune.setString(1, s.id());
                prune.setString(2, s.id());
                prune.executeUpdate();
            }
            return Claim.CLAIMED;
        });
    }

    void markSent(String scheduleId, Instant tick, String requestId) {
        setOutcome(scheduleId, tick, "sent", requestId, null);
    }

    void markFailed(String scheduleId, Instant tick, String message) {
        setOutcome(scheduleId, tick, "failed", null, message);
    }

    /** Ticks claimed but never handed over (the node stopped in between), oldest first. */
    List<Pending> pending() {
        return db.withConnection(c -> {
            String columns = COLUMNS.replaceAll("(^|, )", "$1s.");
            try (PreparedStatement select = c.prepareStatement("SELECT " + columns + ", t.tick_ms AS pending_tick "
                    + "FROM schedule_ticks t JOIN schedules s ON s.id = t.schedule_id WHERE t.outcome = 'claimed' "
                    + "ORDER BY t.tick_ms")) {
                List<Pending> pending = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        pending.add(new Pending(row(rs), Instant.ofEpochMilli(rs.getLong("pending_tick"))));
                    }
                }
                return pending;
            }
        });
    }

    /** The most recent ticks of a schedule, newest first. */
    List<Tick> ticks(String scheduleId, int limit) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT schedule_id, tick_ms, outcome, skipped, request_id, "
                    + "message, claimed_at FROM schedule_ticks WHERE schedule_id = ? ORDER BY tick_ms DESC LIMIT " + limit)) {
                select.setString(1, scheduleId);
                List<Tick> ticks = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ticks.add(new Tick(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                                rs.getLong(4), rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7))));
                    }
                }
                return ticks;
            }
        });
    }

    private void setOutcome(String scheduleId, Instant tick, String outcome, String requestId, String message) {
        db.withConnection(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE schedule_ticks SET outcome = ?, request_id = ?, "
                    + "message = ? WHERE schedule_id = ? AND tick_ms = ?")) {
                update.setString(1, outcome);
                update.setString(2, requestId);
                update.setString(3, message);
                update.setString(4, scheduleId);
                update.setLong(5, tick.toEpochMilli());
                return update.executeUpdate();
            }
        });
    }

    private static Optional<Schedule> find(Connection c, String project, String name) throws SQLException {
        List<Schedule> found = query(c, "SELECT " + COLUMNS + " FROM schedules WHERE project = ? AND name = ?", project, name);
        return found.stream().findFirst();
    }

    private static List<Schedule> query(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                select.setString(i + 1, params[i]);
            }
            return read(select);
        }
    }

    private static List<Schedule> read(PreparedStatement select) throws SQLException {
        List<Schedule> schedules = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                schedules.add(row(rs));
            }
        }
        return schedules;
    }

    private static Schedule row(ResultSet rs) throws SQLException {
        long lastFired = rs.getLong("last_fired_ms");
        Instant last = rs.wasNull() ? null : Instant.ofEpochMilli(lastFired);
        return new Schedule(rs.getString("id"), rs.getString("project"), rs.getString("name"),
                rs.getString("function_name"), rs.getString("expression"), ZoneId.of(rs.getString("time_zone")),
                rs.getString("payload"), CatchUp.parse(rs.getString("catch_up")), rs.getBoolean("enabled"),
                Instant.ofEpochMilli(rs.getLong("anchor_ms")), Instant.ofEpochMilli(rs.getLong("next_due_ms")),
                rs.getLong("fired_ticks"), rs.getLong("skipped_ticks"), last,
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
    }

    private static void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value.toEpochMilli());
        }
    }
}
