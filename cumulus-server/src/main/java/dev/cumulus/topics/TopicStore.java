package dev.cumulus.topics;

import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The topic and subscription tables, plain JDBC on the Store. */
final class TopicStore {
    private static final String SELECT_SUBSCRIPTION = """
            SELECT id, project, topic, function_ref, filter_type, filter_source, filter_subject_prefix,
                   payload_format, created_at FROM topic_subscriptions""";

    private final Database db;

    TopicStore(Database db) {
        this.db = db;
    }

    /** @return false when the topic exists already */
    boolean createTopic(String project, String name, Instant now) {
        return db.withConnection(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO topics (project, name, created_at) VALUES (?, ?, ?) ON CONFLICT (project, name) DO NOTHING")) {
                insert.setString(1, project);
                insert.setString(2, name);
                insert.setLong(3, now.toEpochMilli());
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** @return the topic's creation time, or empty when there is no such topic */
    Optional<Instant> topic(String project, String name) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT created_at FROM topics WHERE project = ? AND name = ?")) {
                select.setString(1, project);
                select.setString(2, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(Instant.ofEpochMilli(rows.getLong(1))) : Optional.empty();
                }
            }
        });
    }

    /** Topic names with their creation times, by name. */
    List<TopicRow> topics(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("""
                    SELECT t.name, t.created_at, (SELECT COUNT(*) FROM topic_subscriptions s
                        WHERE s.project = t.project AND s.topic = t.name)
                    FROM topics t WHERE t.project = ? ORDER BY t.name""")) {
                select.setString(1, project);
                try (ResultSet rows = select.executeQuery()) {
                    List<TopicRow> all = new ArrayList<>();
                    while (rows.next()) {
                        all.add(new TopicRow(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)), rows.getInt(3)));
                    }
                    return all;
                }
            }
        });
    }

    record TopicRow(String name, Instant createdAt, int subscriptions) {}

    /** Deletes the topic and its subscriptions together; @return false when there was no such topic. */
    boolean deleteTopic(String project, String name) {
        return db.inTransaction(c -> {
            try (PreparedStatement subs = c.prepareStatement(
                    "DELETE FROM topic_subscriptions WHERE project = ? AND topic = ?");
                    PreparedStatement topic = c.prepareStatement("DELETE FROM topics WHERE project = ? AND name = ?")) {
                subs.setString(1, project);
                subs.setString(2, name);
                subs.executeUpdate();
                topic.setString(1, project);
                topic.setString(2, name);
                return topic.executeUpdate() == 1;
            }
        });
    }

    /**
     * Adds a subscription if its topic still exists (checked in the same transaction, so a
     * concurrent delete of the topic never leaves an orphan); @return false when it does not.
     */
    boolean subscribe(Subscription s) {
        return db.inTransaction(c -> {
            if (!topicExists(c, s.project(), s.topic())) {
                return false;
            }
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO topic_subscriptions (id, project, topic, function_ref, filter_type, filter_source,
                        filter_subject_prefix, payload_format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setString(1, s.id());
                insert.setString(2, s.project());
                insert.setString(3, s.topic());
                insert.setString(4, s.function());
                insert.setString(5, s.filter().type());
                insert.setString(6, s.filter().source());
                insert.setString(7, s.filter().subjectPrefix());
                insert.setString(8, s.format().name());
                insert.setLong(9, s.createdAt().toEpochMilli());
                insert.executeUpdate();
                return true;
            }
        });
    }

    private static boolean topicExists(Connection c, String project, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT 1 FROM topics WHERE project = ? AND name = ?")) {
            select.setString(1, project);
            select.setString(2, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The topic's subscriptions, oldest first. */
    List<Subscription> subscriptions(String project, String topic) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_SUBSCRIPTION + " WHERE project = ? AND topic = ? ORDER BY created_at, id")) {
                select.setString(1, project);
                select.setString(2, topic);
                return subscriptions(select);
            }
        });
    }

    /** Every subscription of the project, by topic, oldest first within a topic. */
    List<Subscription> subscriptions(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    SELECT_SUBSCRIPTION + " WHERE project = ? ORDER BY topic, created_at, id")) {
                select.setString(1, project);
                return subscriptions(select);
            }
        });
    }

    private static List<Subscription> subscriptions(PreparedStatement select) throws SQLException {
        try (ResultSet rows = select.executeQuery()) {
            List<Subscription> all = new ArrayList<>();
            while (rows.next()) {
                all.add(new Subscription(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getString(4), new Filter(rows.getString(5), rows.getString(6), rows.getString(7)),
                        PayloadFormat.valueOf(rows.getString(8)), Instant.ofEpochMilli(rows.getLong(9))));
            }
            return all;
        }
    }

    /** @return false when the topic has no such subscription */
    boolean unsubscribe(String project, String topic, String id) {
        return db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM topic_subscriptions WHERE project = ? AND topic = ? AND id = ?")) {
                delete.setString(1, project);
                delete.setString(2, topic);
                delete.setString(3, id);
                return delete.executeUpdate() == 1;
            }
        });
    }
}
