package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.documents.Rules.Operation;
import dev.cumulus.web.Json;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One realtime subscription's position in a collection's change log: what Server-Sent Events and
 * the WebSocket both deliver (one class, so both filter alike). Events carry the log's seq as
 * their id, so a client resuming with its last id gets exactly what it missed while the log still
 * holds it. The backlog stays in the database, never in memory: a poll reads at most
 * {@link #BATCH} rows, a slow client only falls behind, and one that falls behind the retention
 * window (or names an id the log never had) gets a {@link Resync}, which says to read again, and
 * continues from the head.
 *
 * <p>What a subscription sees: every change of the collection, of one document, or of the
 * documents a query's {@code where} matches (before or after the write: a document leaving the
 * query is a change too); an end user only those whose document the collection's read rule lets
 * them see, judged at every event with the rules as they are then.
 */
final class ChangeStream {
    /** Events per poll: what one subscription holds in memory at most. */
    static final int BATCH = ChangeLog.BATCH;

    /** What a poll hands out. */
    sealed interface Item {
        long seq();
    }

    /** A change the subscriber may see; {@code event} is the change event's data. */
    record Change(long seq, String type, JsonNode event) implements Item {}

    /** The subscriber missed events it cannot get any more: read again, then go on from {@code seq}. */
    record Resync(long seq, String reason) implements Item {}

    /** What a subscription watches: a whole collection, one document, or a query's matches. */
    record Target(String documentId, Query.Condition where) {
        static final Target ALL = new Target(null, null);

        boolean matches(String id, JsonNode before, JsonNode after) {
            if (documentId != null && !documentId.equals(id)) {
                return false;
            }
            return where == null || QueryMatch.matches(where, data(before)) || QueryMatch.matches(where, data(after));
        }

        private static JsonNode data(JsonNode image) {
            return image == null || image.isNull() ? null : image.get("data");
        }
    }

    private final Documents documents;
    private final ChangeLog log;
    private final Access access;
    private final String project;
    private final String collection;
    private final Target target;
    private final Clock clock;
    private long position;

    /** @param after the last seq the client has (Last-Event-ID), or null for "from now on" */
    ChangeStream(Documents documents, Access access, String project, String collection, Target target, Long after,
            Clock clock) {
        this.documents = documents;
        this.log = documents.changeLog;
        this.access = access;
        this.project = project;
        this.collection = collection;
        this.target = target;
        this.clock = clock;
        Documents.requireCollectionName(collection);
        this.position = after == null ? log.bounds(project, collection)[0] : after;
    }

    String project() {
        return project;
    }

    String collection() {
        return collection;
    }

    long position() {
        return position;
    }

    /** The items available now: a resync alone, or up to a batch of changes. Empty when caught up. */
    List<Item> poll() {
        List<Item> items = new ArrayList<>();
        long[] bounds = log.bounds(project, collection);
        long head = bounds[0];
        long oldest = bounds[1];
        if (position > head || position < head && (oldest < 0 || oldest > position + 1)) {
            items.add(new Resync(head, position > head
                    ? "the log never had this event id" : "events after this id are past the retention window"));
            position = head;
            return items;
        }
        Rules rules = access instanceof Access.EndUser ? documents.rules(project, collection) : null;
        while (items.isEmpty()) { // a batch whose every event was hidden: look further
            List<ChangeLog.Entry> entries = log.after(project, collection, position, BATCH);
            if (entries.isEmpty()) {
                break;
            }
            for (ChangeLog.Entry e : entries) {
                position = e.seq();
                if (!target.matches(e.docId(), e.event().get("before"), e.event().get("after"))) {
                    continue;
                }
                if (rules != null && !visible(rules, ((Access.EndUser) access).auth(), e.event())) {
                    continue;
                }
                items.add(new Change(e.seq(), e.type(), e.event()));
            }
        }
        return items;
    }

    private boolean visible(Rules rules, RequestAuth auth, JsonNode event) {
        JsonNode image = event.get("after") != null && !event.get("after").isNull() ? event.get("after") : event.get("before");
        Map<String, Object> resource = Rules.resource(image.path("id").asText(), image.get("data"),
                image.path("version").asLong());
        return rules.allows(Operation.READ, auth, resource, null, clock.instant());
    }

    /** {@link #poll} as Server-Sent Events frames. */
    List<String> frames() {
        return poll().stream().map(ChangeStream::sse).toList();
    }

    /** An item as a Server-Sent Events frame: the seq is the event id a browser resumes from. */
    static String sse(Item item) {
        return switch (item) {
            case Change c -> "id: " + c.seq() + "\nevent: " + c.type() + "\ndata: " + c.event() + "\n\n";
            case Resync r -> "id: " + r.seq() + "\nevent: resync\ndata: "
                    + Json.MAPPER.createObjectNode().put("reason", r.reason()).put("head", r.seq()) + "\n\n";
        };
    }
}
