package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One realtime WebSocket ({@code GET /v1/db/realtime}, ADR 0033): many subscriptions, each a
 * {@link ChangeStream} (the class Server-Sent Events use too, so both filter alike). JSON text
 * messages both ways; see docs/documents.md for the protocol.
 *
 * <p>Backpressure: one pump per socket reads the subscriptions' streams only while fewer than
 * {@link #MAX_IN_FLIGHT} messages wait to be written to the network. A slow client's backlog
 * therefore stays in the change log, never in memory; once it falls behind the log's retention
 * its subscriptions get a {@code resync} (read again, then go on), never an unbounded buffer.
 *
 * <p>Public only because Jetty calls the listener methods through public method handles; it has
 * no public constructor.
 */
public final class RealtimeSocket implements Session.Listener.AutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimeSocket.class);
    /** The subprotocol a client may ask for; the node names it back when asked. */
    static final String PROTOCOL = "cumulus.realtime.v1";
    static final int MAX_SUBSCRIPTIONS = 100;
    /** Messages handed to the socket but not yet written: the most one client holds in memory (plus one batch). */
    static final int MAX_IN_FLIGHT = 256;
    static final int MAX_MESSAGE_CHARS = 64 * 1024;
    private static final Set<String> SUBSCRIBE_FIELDS = Set.of("type", "id", "collection", "doc", "query", "after");

    private final Documents documents;
    private final Access access;
    private final String project;
    /** The IAM question each subscribe asks for the socket's principal (end users: none, the rules judge them). */
    private final dev.cumulus.web.Call.Check iam;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Session session;
    private volatile boolean open;

    private record Subscription(ChangeStream stream, Runnable unwatch) {}

    RealtimeSocket(Documents documents, Access access, String project, dev.cumulus.web.Call.Check iam) {
        this.documents = documents;
        this.access = access;
        this.project = project;
        this.iam = iam;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.open = true;
        Thread.ofVirtual().name("db-realtime-" + project).start(this::pump);
    }

    @Override
    public void onWebSocketText(String text) {
        String id = null;
        try {
            if (text.length() > MAX_MESSAGE_CHARS) {
                throw ApiException.badRequest("MessageTooLarge", "a message is at most " + MAX_MESSAGE_CHARS + " characters");
            }
            JsonNode message = Json.parseObject(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            id = message.path("id").isTextual() ? message.get("id").asText() : null;
            switch (message.path("type").asText("")) {
                case "subscribe" -> subscribe(message);
                case "unsubscribe" -> unsubscribe(requireId(message));
                default -> throw ApiException.badRequest("InvalidMessage",
                        "type must be subscribe or unsubscribe");
            }
        } catch (ApiException e) {
            send(error(id, e));
        } catch (RuntimeException e) {
            LOG.warn("db realtime: message failed", e);
            send(error(id, new ApiException(500, "InternalError", "the message could not be handled")));
        }
    }

    private void subscribe(JsonNode m) {
        String id = requireId(m);
        for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SUBSCRIBE_FIELDS.contains(name)) {
                throw ApiException.badRequest("InvalidMessage", "unknown field '" + name + "'; subscribe has "
                        + SUBSCRIBE_FIELDS);
            }
        }
        if (subscriptions.containsKey(id)) {
            throw ApiException.badRequest("InvalidMessage", "subscription " + id + " exists; unsubscribe first");
        }
        if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
            throw ApiException.badRequest("TooManySubscriptions", "a socket has at most " + MAX_SUBSCRIPTIONS
                    + " subscriptions");
        }
        if (!m.path("collection").isTextual()) {
            throw ApiException.badRequest("InvalidMessage", "collection is required, a string");
        }
        String collection = m.get("collection").asText();
        // a valid name first, so no crafted one ("a/b", "*") shapes the resource IAM is asked about;
        // then the SSE route's action and resource for this collection; a refusal ends this subscribe only
        Documents.requireCollectionName(collection);
        iam.authorize("db:Listen", dev.cumulus.iam.Crn.of("db", project, collection + "/*"));
        if (m.hasNonNull("doc") && m.hasNonNull("query")) {
            throw ApiException.badRequest("InvalidMessage", "a subscription is to a doc or to a query, not both");
        }
        String doc = null;
        if (m.hasNonNull("doc")) {
            if (!m.get("doc").isTextual()) {
                throw ApiException.badRequest("InvalidMessage", "doc must be a document id");
            }
            doc = m.get("doc").asText();
        }
        Query query = null;
        if (m.hasNonNull("query")) {
            if (!m.get("query").isObject()) {
                throw ApiException.badRequest("InvalidQuery", "query must be an object like the body of POST query");
            }
            query = Query.parse(m.get("query"));
        }
        Long after = null;
        if (m.hasNonNull("after")) {
            if (!m.get("after").canConvertToLong() || !m.get("after").isIntegralNumber() || m.get("after").asLong() < 0) {
                throw ApiException.badRequest("InvalidEventId", "after must be the seq of an event this subscription sent");
            }
            after = m.get("after").asLong();
        }
        ChangeStream.Target target = new ChangeStream.Target(doc, query == null ? null : query.where());
        ChangeStream stream = documents.listen(access, project, collection, target, after);
        ObjectNode subscribed = message("subscribed", id).put("collection", collection).put("position", stream.position());
        if (after == null) {
            // resuming has no initial result: the events after `after` are what the client lacks
            Query first = query != null ? query : doc != null ? null
                    : Query.parse(Json.MAPPER.createObjectNode());
            subscribed.set("documents", Json.MAPPER.valueToTree(
                    documents.snapshot(access, project, collection, target, first).stream().map(Document::view).toList()));
        }
        send(subscribed.toString());
        Runnable unwatch = documents.changeLog.watch(project, collection, wake::release);
        subscriptions.put(id, new Subscription(stream, unwatch));
        wake.release();
    }

    private void unsubscribe(String id) {
        Subscription gone = subscriptions.remove(id);
        if (gone == null) {
            throw new ApiException(404, "SubscriptionNotFound", "no subscription " + id + " on this socket");
        }
        gone.unwatch().run();
        send(message("unsubscribed", id).toString());
    }

    /** Reads every subscription's stream while the socket has room, then waits for a commit (or a second). */
    private void pump() {
        long lastPing = System.nanoTime();
        try {
            while (open && !documents.changeLog.closed()) {
                boolean sent = false;
                for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
                    if (inFlight.get() >= MAX_IN_FLIGHT) {
                        break; // the client is slow: its backlog stays in the log
                    }
                    List<ChangeStream.Item> items;
                    try {
                        items = e.getValue().stream().poll();
                    } catch (ApiException gone) {
                        // the collection was deleted under the subscription: say so and drop it
                        subscriptions.remove(e.getKey());
                        e.getValue().unwatch().run();
                        send(error(e.getKey(), gone));
                        continue;
                    }
                    for (ChangeStream.Item item : items) {
                        send(frame(e.getKey(), item));
                        sent = true;
                    }
                }
                if (System.nanoTime() - lastPing > DocumentsApi.KEEPALIVE.toNanos()) {
                    session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
                    lastPing = System.nanoTime();
                }
                if (!sent || inFlight.get() >= MAX_IN_FLIGHT) {
                    wake.tryAcquire(DocumentsApi.POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("db realtime: pump of a socket in project {} failed", project, e);
        } finally {
            closeAll();
            if (session.isOpen()) {
                session.close(1001, "the node is stopping; reconnect and resume with the last seq", Callback.NOOP);
            }
        }
    }

    static String frame(String subscription, ChangeStream.Item item) {
        return switch (item) {
            case ChangeStream.Change c -> {
                ObjectNode m = message("change", subscription).put("seq", c.seq()).put("event", c.type());
                m.set("data", c.event());
                yield m.toString();
            }
            case ChangeStream.Resync r -> message("resync", subscription).put("seq", r.seq())
                    .put("reason", r.reason()).toString();
        };
    }

    private void send(String text) {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        inFlight.incrementAndGet();
        s.sendText(text, Callback.from(this::written, failure -> {
            written();
            LOG.debug("db realtime: send failed: {}", failure.toString());
        }));
    }

    private void written() {
        if (inFlight.decrementAndGet() == MAX_IN_FLIGHT - 1) {
            wake.release();
        }
    }

    @Override
    public void onWebSocketClose(int status, String reason) {
        open = false;
        wake.release();
        closeAll();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        open = false;
        wake.release();
    }

    private void closeAll() {
        for (String id : List.copyOf(subscriptions.keySet())) {
            Subscription s = subscriptions.remove(id);
            if (s != null) {
                s.unwatch().run();
            }
        }
    }

    private static ObjectNode message(String type, String id) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("type", type);
        if (id != null) {
            m.put("id", id);
        }
        return m;
    }

    private static String error(String id, ApiException e) {
        return message("error", id).put("error", e.code()).put("message", e.getMessage()).put("status", e.status())
                .toString();
    }

    private static String requireId(JsonNode m) {
        JsonNode id = m.get("id");
        if (id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > 128) {
            throw ApiException.badRequest("InvalidMessage", "id is required: the subscription's name, 1-128 characters");
        }
        return id.asText();
    }

    /** What {@code ?id=} and {@code ?where=} (a query's where, as JSON) of an SSE request ask for. */
    static ChangeStream.Target target(String documentId, String whereJson) {
        if (documentId != null && whereJson != null) {
            throw ApiException.badRequest("InvalidQuery", "a stream is of one document (id) or of a query (where), not both");
        }
        if (whereJson == null) {
            return new ChangeStream.Target(documentId, null);
        }
        JsonNode where;
        try {
            where = Json.MAPPER.readTree(whereJson);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("MalformedJson", "where is not JSON");
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("where", where);
        return new ChangeStream.Target(null, Query.parse(body).where());
    }
}
