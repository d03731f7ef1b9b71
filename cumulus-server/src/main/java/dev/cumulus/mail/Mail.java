package dev.cumulus.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.store.StoreException;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's mail: messages are written to the durable outbox ({@code mail_outbox}), in the
 * caller's transaction when it has one, and one dispatcher thread hands them to the project's
 * relay (its mail settings) or the node's ({@code serve --smtp}), retrying with exponential
 * backoff as {@link MailStateMachine} decides. Bodies are sealed in the Store (they hold one-time
 * links) and never logged.
 */
public final class Mail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mail.class);
    static final int DEFAULT_SENDS_PER_HOUR = 200;
    static final String DEFAULT_FROM = "no-reply@localhost";
    private static final int BODY_LIMIT = 256 * 1024;
    static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");
    private static final Set<String> SETTINGS_FIELDS = Set.of("smtp", "from", "verifyUrl", "resetUrl",
            "sendsPerHour", "templates");

    /**
     * How the dispatcher works.
     *
     * @param poll how often it looks for due messages when nothing woke it
     * @param backoff the waits between tries and how many tries a message gets
     */
    public record Settings(Duration poll, Duration backoffBase, Duration backoffMax, int maxAttempts) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMinutes(30), 12);
        }
    }

    /** Whether the calling instance's function may send mail: throws (403) when its role may not. */
    @FunctionalInterface
    public interface SenderCheck {
        void mayMail(dev.cumulus.runtimeapi.InstanceService.Caller caller);
    }

    /** What functions call through {@code Context.mail()}, for the Runtime API server. */
    public dev.cumulus.runtimeapi.InstanceService instanceService(SenderCheck check) {
        return new InstanceMail(this, check);
    }

    /** A project's mail settings as the node uses them; relay null for the node's. */
    record ProjectSettings(SmtpServer relay, String from, String verifyUrl, String resetUrl, int sendsPerHour,
            JsonNode templates) {}

    private final Database db;
    private final SecretBox box;
    private final SmtpServer nodeRelay;
    private final Settings settings;
    private final Clock clock;
    private final MailStateMachine.Backoff backoff;
    /** A project's send limit: rebuilt when its sends per hour change. */
    private record SendLimit(int perHour, Bucket bucket) {}

    private final Map<String, SendLimit> sendLimits = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition due = lock.newCondition();
    private boolean woken;
    private volatile boolean running = true;
    private final Thread dispatcher;

    private Mail(Database db, SecretBox box, SmtpServer nodeRelay, Settings settings, Clock clock) {
        this.db = db;
        this.box = box;
        this.nodeRelay = nodeRelay;
        this.settings = settings;
        this.clock = clock;
        this.backoff = new MailStateMachine.Backoff(settings.backoffBase(), settings.backoffMax(), settings.maxAttempts());
        recoverInterrupted();
        this.dispatcher = Thread.ofPlatform().name("mail-dispatcher").daemon().start(this::dispatchLoop);
    }

    /** @param nodeRelay the node's relay ({@code serve --smtp}), null for none */
    public static Mail start(Database db, SecretBox box, SmtpServer nodeRelay, Settings settings, Clock clock) {
        return new Mail(db, box, nodeRelay, settings, clock);
    }

    // --- sending ---

    /**
     * Renders {@code template} for the project and writes it to the outbox on {@code connection}
     * (the caller's transaction: the mail leaves only if it commits); call {@link #wake} after
     * the commit.
     *
     * @param values the template's placeholders; {@code token} also makes {@code link} from the
     *     project's verifyUrl (verification) or resetUrl (reset)
     * @return the message's id
     * @throws ApiException 429 when the project reached its sends per hour
     */
    public String enqueue(Connection connection, String project, String template, String to, Map<String, String> values)
            throws SQLException {
        ProjectSettings own = settings(connection, project);
        SendLimit limit = sendLimits.compute(project, (p, old) -> old != null && old.perHour() == own.sendsPerHour()
                ? old : new SendLimit(own.sendsPerHour(), newLimit(own.sendsPerHour())));
        if (!limit.bucket().tryConsume(1)) {
            throw new ApiException(429, "TooManyRequests", "the project's mail limit of " + own.sendsPerHour()
                    + " messages per hour is reached; try again later", Map.of("retryAfterSeconds", 60));
        }
        Map<String, String> all = new LinkedHashMap<>(values);
        all.put("project", project);
        all.putIfAbsent("email", to);
        String base = template.equals("verification") ? own.verifyUrl() : template.equals("reset") ? own.resetUrl() : null;
        if (base != null && values.containsKey("token")) {
            all.put("link", base + (base.contains("?") ? "&" : "?") + "token=" + values.get("token"));
        }
        MailTemplates.Template t = MailTemplates.of(template, own.templates());
        String id = "mail-" + UUID.randomUUID();
        long now = clock.millis();
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO mail_outbox (mail_id, project, template, recipient, subject, sealed_body, state, attempts,
                    next_attempt_at, last_error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, ?)""")) {
            insert.setString(1, id);
            insert.setString(2, project);
            insert.setString(3, template);
            insert.setString(4, to);
            insert.setString(5, MailTemplates.fill(t.subject(), all).replaceAll("[\\r\\n]+", " "));
            insert.setString(6, box.seal(MailTemplates.fill(t.body(), all), "mail:" + id));
            insert.setString(7, MailStateMachine.State.QUEUED.wire());
            insert.setLong(8, now);
            insert.setLong(9, now);
            insert.setLong(10, now);
            insert.executeUpdate();
        }
        LOG.info("mail {} ({}) to *@{} queued for project {}", id, template, domainOf(to), project);
        return id;
    }

    /** As {@link #enqueue(Connection, String, String, String, Map)} in a transaction of its own, and wakes the dispatcher. */
    public String send(String project, String template, String to, Map<String, String> values) {
        String id = db.inTransaction(c -> enqueue(c, project, template, to, values));
        wake();
        return id;
    }

    /** Tells the dispatcher that a message is due now. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            due.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static Bucket newLimit(int perHour) {
        return Bucket.builder().addLimit(Bandwidth.builder().capacity(perHour).refillGreedy(perHour, Duration.ofHours(1))
                .build()).build();
    }

    // --- the dispatcher ---

    private void dispatchLoop() {
        while (running) {
            try {
                int handled = dispatchDue();
                if (handled > 0) {
                    continue;
                }
                lock.lock();
                try {
                    if (!woken && running) {
                        due.await(settings.poll().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                    woken = false;
                } finally {
                    lock.unlock();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("the mail dispatcher failed; trying again in {}", settings.poll(), e);
                try {
                    Thread.sleep(settings.poll());
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private record Due(String id, String project, String template, String recipient, String subject, String sealedBody,
            MailStateMachine.State state, int attempts) {}

    /** Sends every message due now; answers how many it handled. */
    int dispatchDue() {
        List<Due> dueNow = db.withConnection(c -> {
            List<Due> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT mail_id, project, template, recipient, subject, sealed_body, state, attempts FROM mail_outbox
                    WHERE state IN (?, ?) AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 20""")) {
                q.setString(1, MailStateMachine.State.QUEUED.wire());
                q.setString(2, MailStateMachine.State.RETRY_WAIT.wire());
                q.setLong(3, clock.millis());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), MailStateMachine.State.ofWire(rs.getString(7)),
                                rs.getInt(8)));
                    }
                }
            }
            return out;
        });
        for (Due message : dueNow) {
            if (!running) {
                break;
            }
            MailStateMachine.Transition claimed = MailStateMachine.claim(message.state(), message.attempts());
            if (!move(message.id(), message.state(), claimed)) {
                continue; // someone else took it
            }
            MailStateMachine.Outcome outcome = trySend(message);
            MailStateMachine.Transition next = MailStateMachine.settle(MailStateMachine.State.SENDING,
                    message.attempts(), outcome, backoff, clock.instant(), bound -> ThreadLocalRandom.current().nextLong(bound));
            move(message.id(), MailStateMachine.State.SENDING, next);
            switch (next.state()) {
                case SENT -> LOG.info("mail {} ({}) to *@{} sent", message.id(), message.template(),
                        domainOf(message.recipient()));
                case RETRY_WAIT -> LOG.info("mail {} ({}) to *@{} not sent ({}); try {} at {}", message.id(),
                        message.template(), domainOf(message.recipient()), next.error(), next.attempts() + 1,
                        next.nextAttemptAt());
                case FAILED -> LOG.warn("mail {} ({}) to *@{} failed for good after {} tries: {}", message.id(),
                        message.template(), domainOf(message.recipient()), next.attempts(), next.error());
                default -> { }
            }
        }
        return dueNow.size();
    }

    private MailStateMachine.Outcome trySend(Due message) {
        ProjectSettings own = db.withConnection(c -> settings(c, message.project()));
        SmtpServer relay = own.relay() != null ? own.relay() : nodeRelay;
        if (relay == null) {
            return new MailStateMachine.Outcome.Transient("no mail relay: set serve --smtp or the project's mail settings");
        }
        String body;
        try {
            body = box.open(message.sealedBody(), "mail:" + message.id());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new MailStateMachine.Outcome.Permanent("the message's body does not open with this node's key");
        }
        return SmtpSender.send(relay, own.from(), message.recipient(), message.subject(), body);
    }

    private boolean move(String id, MailStateMachine.State from, MailStateMachine.Transition to) {
        return db.withConnection(c -> {
            try (PreparedStatement u = c.prepareStatement("""
                    UPDATE mail_outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?
                    WHERE mail_id = ? AND state = ?""")) {
                u.setString(1, to.state().wire());
                u.setInt(2, to.attempts());
                if (to.nextAttemptAt() == null) {
                    u.setNull(3, Types.BIGINT);
                } else {
                    u.setLong(3, to.nextAttemptAt().toEpochMilli());
                }
                u.setString(4, to.error());
                u.setLong(5, clock.millis());
                u.setString(6, id);
                u.setString(7, from.wire());
                return u.executeUpdate() == 1;
            }
        });
    }

    /** Messages a stopped or crashed node was sending go back to the queue (at-least-once). */
    private void recoverInterrupted() {
        List<String[]> sending = db.withConnection(c -> {
            List<String[]> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT mail_id, attempts FROM mail_outbox WHERE state = ?")) {
                q.setString(1, MailStateMachine.State.SENDING.wire());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
            return out;
        });
        for (String[] row : sending) {
            move(row[0], MailStateMachine.State.SENDING, MailStateMachine.recover(MailStateMachine.State.SENDING,
                    Integer.parseInt(row[1]), clock.instant()));
        }
    }

    // --- what the outbox holds (no bodies) ---

    /** The project's newest messages, without bodies. */
    public List<Map<String, Object>> outbox(String project, int limit) {
        return db.withConnection(c -> {
            List<Map<String, Object>> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT mail_id, template, recipient, subject, state, attempts, next_attempt_at, last_error, created_at,
                        updated_at FROM mail_outbox WHERE project = ? ORDER BY created_at DESC, mail_id LIMIT ?""")) {
                q.setString(1, project);
                q.setInt(2, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", rs.getString(1));
                        m.put("template", rs.getString(2));
                        m.put("to", rs.getString(3));
                        m.put("subject", rs.getString(4));
                        m.put("state", rs.getString(5));
                        m.put("attempts", rs.getInt(6));
                        long next = rs.getLong(7);
                        m.put("nextAttemptAt", rs.wasNull() ? null : Instant.ofEpochMilli(next).toString());
                        m.put("lastError", rs.getString(8));
                        m.put("createdAt", Instant.ofEpochMilli(rs.getLong(9)).toString());
                        m.put("updatedAt", Instant.ofEpochMilli(rs.getLong(10)).toString());
                        out.add(m);
                    }
                }
            }
            return out;
        });
    }

    // --- a project's settings ---

    ProjectSettings settings(Connection c, String project) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT sealed_smtp, settings FROM mail_settings WHERE project = ?")) {
            q.setString(1, project);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return new ProjectSettings(null, DEFAULT_FROM, null, null, DEFAULT_SENDS_PER_HOUR, null);
                }
                SmtpServer relay = null;
                if (rs.getString(1) != null) {
                    try {
                        relay = SmtpServer.parse(box.open(rs.getString(1), "mail-smtp:" + project));
                    } catch (GeneralSecurityException e) {
                        throw new StoreException(new SQLException("project " + project
                                + "'s mail relay does not open with this node's key"));
                    }
                }
                JsonNode s = Json.MAPPER.readTree(rs.getString(2));
                return new ProjectSettings(relay, s.path("from").asText(DEFAULT_FROM),
                        s.hasNonNull("verifyUrl") ? s.get("verifyUrl").asText() : null,
                        s.hasNonNull("resetUrl") ? s.get("resetUrl").asText() : null,
                        s.path("sendsPerHour").asInt(DEFAULT_SENDS_PER_HOUR), s.get("templates"));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("project " + project + "'s mail settings are not JSON", e);
            }
        }
    }

    Map<String, Object> view(String project) {
        ProjectSettings s = db.withConnection(c -> settings(c, project));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("project", project);
        m.put("smtp", s.relay() == null ? null : s.relay().shown());
        m.put("usesNodeRelay", s.relay() == null);
        m.put("nodeRelay", nodeRelay == null ? null : nodeRelay.host() + ":" + nodeRelay.port());
        m.put("from", s.from());
        m.put("verifyUrl", s.verifyUrl());
        m.put("resetUrl", s.resetUrl());
        m.put("sendsPerHour", s.sendsPerHour());
        m.put("templates", s.templates() == null ? Map.of() : s.templates());
        return m;
    }

    /** Replaces the project's settings with the given ones (a field left out takes its default). */
    void put(String project, JsonNode body) {
        for (var field : body.properties()) {
            if (!SETTINGS_FIELDS.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "' (known: "
                        + String.join(", ", SETTINGS_FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String smtp = textOrNull(body, "smtp");
        if (smtp != null) {
            try {
                SmtpServer.parse(smtp);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("InvalidParameter", e.getMessage());
            }
        }
        ObjectNode stored = Json.MAPPER.createObjectNode();
        String from = textOrNull(body, "from");
        if (from != null) {
            if (!EMAIL.matcher(from).matches() && !from.matches("[^<>\\r\\n]{0,100}<[^@\\s<>]{1,64}@[^@\\s<>]{1,189}>")) {
                throw ApiException.badRequest("InvalidParameter", "from is an address like no-reply@example.com "
                        + "or 'Shop <no-reply@example.com>'");
            }
            stored.put("from", from);
        }
        for (String url : List.of("verifyUrl", "resetUrl")) {
            String value = textOrNull(body, url);
            if (value != null) {
                if (!value.matches("https?://[^\\s]{1,2000}")) {
                    throw ApiException.badRequest("InvalidParameter", url + " is an http(s) URL; the token is added as ?token=");
                }
                stored.put(url, value);
            }
        }
        if (body.hasNonNull("sendsPerHour")) {
            JsonNode n = body.get("sendsPerHour");
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > 100_000) {
                throw ApiException.badRequest("InvalidParameter", "sendsPerHour is a whole number from 1 to 100000");
            }
            stored.put("sendsPerHour", n.asInt());
        }
        if (body.hasNonNull("templates")) {
            MailTemplates.check(body.get("templates"));
            stored.set("templates", body.get("templates"));
        }
        db.inTransaction(c -> {
            try (PreparedStatement d = c.prepareStatement("DELETE FROM mail_settings WHERE project = ?")) {
                d.setString(1, project);
                d.executeUpdate();
            }
            try (PreparedStatement i = c.prepareStatement(
                    "INSERT INTO mail_settings (project, sealed_smtp, settings, updated_at) VALUES (?, ?, ?, ?)")) {
                i.setString(1, project);
                i.setString(2, smtp == null ? null : box.seal(smtp, "mail-smtp:" + project));
                i.setString(3, stored.toString());
                i.setLong(4, clock.millis());
                i.executeUpdate();
            }
            return null;
        });
        sendLimits.remove(project);
    }

    private static String textOrNull(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badRequest("InvalidParameter", field + " must be a string");
        }
        return v.asText();
    }

    static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "?" : address.substring(at + 1);
    }

    // --- routes ---

    /** {@code /v1/mail/...}: a project's settings, its outbox (no bodies), a test mail. */
    public List<Route> routes() {
        return List.of(
                Route.get("/v1/mail/settings").authorize("mail:GetMailSettings", "mail", "settings")
                        .handle(call -> call.json(200, view(call.project()))),
                Route.put("/v1/mail/settings").authorize("mail:PutMailSettings", "mail", "settings")
                        .handle(call -> {
                            put(call.project(), readObject(call));
                            call.json(200, view(call.project()));
                        }),
                Route.get("/v1/mail/outbox").authorize("mail:ListMail", "mail", "outbox")
                        .handle(call -> call.json(200, Map.of("messages", outbox(call.project(), 100)))),
                Route.post("/v1/mail/test").authorize("mail:SendTestMail", "mail", "outbox")
                        .handle(this::sendTest));
    }

    private void sendTest(Call call) throws IOException {
        JsonNode body = readObject(call);
        for (var field : body.properties()) {
            if (!field.getKey().equals("to")) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "' (known: to)");
            }
        }
        String to = textOrNull(body, "to");
        if (to == null || !EMAIL.matcher(to).matches()) {
            throw ApiException.badRequest("InvalidParameter", "to is the address to send the test mail to");
        }
        String id = send(call.project(), "test", to, Map.of());
        call.json(202, Map.of("id", id, "state", MailStateMachine.State.QUEUED.wire()));
    }

    private static JsonNode readObject(Call call) throws IOException {
        byte[] bytes = Exchange.readBody(call.request(), BODY_LIMIT);
        return bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(bytes);
    }

    @Override
    public void close() {
        running = false;
        dispatcher.interrupt();
        try {
            dispatcher.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
