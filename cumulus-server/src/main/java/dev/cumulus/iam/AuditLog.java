package dev.cumulus.iam;

import dev.cumulus.store.Database;
import java.net.InetAddress;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log (issue 11): append-only rows in the Store, one per control-plane action and per
 * denial, with who, what, on which resource, the outcome, the source address and the time.
 * Nothing in the node updates or deletes a row. The guard writes denials and allowed mutating
 * actions itself ({@link IamGuard}); handlers need not.
 */
public final class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    public static final int MAX_LIMIT = 1000;
    private static final int MAX_DETAIL = 1000;

    public enum Outcome {
        ALLOW, DENY;

        String column() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One line of the log as read back. */
    public record Entry(String id, String project, Instant at, String principal, String action, String resource,
            Outcome outcome, String source, String detail) {}

    /** What to read: every field optional but the limit. */
    public static final class Query {
        String project;
        String principal;
        String action;
        Outcome outcome;
        Instant from;
        Instant to;
        int limit = 100;

        public Query project(String value) {
            project = value;
            return this;
        }

        public Query principal(String value) {
            principal = value;
            return this;
        }

        public Query action(String value) {
            action = value;
            return this;
        }

        public Query outcome(Outcome value) {
            outcome = value;
            return this;
        }

        /** inclusive */
        public Query from(Instant value) {
            from = value;
            return this;
        }

        /** exclusive */
        public Query to(Instant value) {
            to = value;
            return this;
        }

        public Query limit(int value) {
            limit = Math.max(1, Math.min(MAX_LIMIT, value));
            return this;
        }
    }

    private final Database db;
    private final Clock clock;

    public AuditLog(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Appends a line. A failure to write is logged, not thrown: the decision it records has been
     * made already, and a full disk must not turn every denial into a 500.
     */
    public void record(Principal who, String action, Crn resource, Outcome outcome, InetAddress source, String detail) {
        String text = detail == null ? "" : detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
        try {
            db.withConnection(c -> {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO iam_audit (id, project, at, principal, "
                        + "action, resource, outcome, source, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, UUID.randomUUID().toString());
                    insert.setString(2, resource.project());
                    insert.setLong(3, clock.millis());
                    insert.setString(4, who.toString());
                    insert.setString(5, action);
                    insert.setString(6, resource.toString());
                    insert.setString(7, outcome.column());
                    insert.setString(8, source == null ? null : source.getHostAddress());
                    insert.setString(9, text);
                    return insert.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.error("audit line not written: {} {} {} {}", who, action, resource, outcome, e);
        }
    }

    /** Newest first. */
    public List<Entry> read(Query query) {
        StringBuilder sql = new StringBuilder(
                "SELECT id, project, at, principal, action, resource, outcome, source, detail FROM iam_audit WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.project != null) {
            sql.append(" AND project = ?");
            args.add(query.project);
        }
        if (query.principal != null) {
            sql.append(" AND principal = ?");
            args.add(query.principal);
        }
        if (query.action != null) {
            sql.append(" AND action = ?");
            args.add(query.action);
        }
        if (query.outcome != null) {
            sql.append(" AND outcome = ?");
            args.add(query.outcome.column());
        }
        if (query.from != null) {
            sql.append(" AND at >= ?");
            args.add(query.from.toEpochMilli());
        }
        if (query.to != null) {
            sql.append(" AND at < ?");
            args.add(query.to.toEpochMilli());
        }
        sql.append(" ORDER BY at DESC, id LIMIT ").append(query.limit);
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    select.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = select.executeQuery()) {
                    List<Entry> entries = new ArrayList<>();
                    while (rs.next()) {
                        entries.add(new Entry(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                                rs.getString(4), rs.getString(5), rs.getString(6),
                                Outcome.valueOf(rs.getString(7).toUpperCase(java.util.Locale.ROOT)), rs.getString(8),
                                rs.getString(9)));
                    }
                    return entries;
                }
            }
        });
    }
}
