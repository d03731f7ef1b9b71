package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.documents.Rules.Operation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One realtime listener's position in a collection's change log, as Server-Sent Events frames.
 * Events carry their seq as the SSE id, so a client reconnecting with {@code Last-Event-ID} gets
 * exactly what it missed while the log still holds it. The listener's backlog stays in the
 * database, never in memory: a slow client only falls behind, and one that falls behind the
 * retention window (or names an id the log never had) gets a {@code resync} event, which says to
 * query again, and continues from the head. End users get only the events whose document the
 * read rule lets them see, judged at every event.
 */
final class ChangeStream {
    /** Frames per poll: what one client holds in memory at most. */
    static final int BATCH = ChangeLog.BATCH;

    private final Documents documents;
    private final ChangeLog log;
    private final Access access;
    private final String project;
    private final String collection;
    private final Clock clock;
    private long position;

    /** @param after the last seq the client has (Last-Event-ID), or null for "from now on" */
    ChangeStream(Documents documents, Access access, String project, String collection, Long after, Clock clock) {
        this.documents = documents;
        this.log = documents.changeLog;
        this.access = access;
        this.project = project;
        this.collection = collection;
        this.clock = clock;
        Documents.requireCollectionName(collection);
        this.position = after == null ? log.bounds(project, collection)[0] : after;
    }

    long position() {
        return position;
    }

    /** The frames available now: possibly a resync, then up to {@link #BATCH} events. Empty when caught up. */
    List<String> poll() {
        List<String> frames = new ArrayList<>();
        long[] bounds = log.bounds(project, collection);
        long head = bounds[0];
        long oldest = bounds[1];
        if (position > head || position < head && (oldest < 0 || oldest > position + 1)) {
            frames.add("id: " + head + "\nevent: resync\ndata: {\"reason\":\"" + (position > head
                    ? "the log never had this event id" : "events after this id are past the retention window")
                    + "\",\"head\":" + head + "}\n\n");
            position = head;
            return frames;
        }
        Rules rules = access instanceof Access.EndUser ? documents.rules(project, collection) : null;
        while (frames.isEmpty()) { // a batch whose every event was hidden: look further
            List<ChangeLog.Entry> entries = log.after(project, collection, position, BATCH);
            if (entries.isEmpty()) {
                break;
            }
            for (ChangeLog.Entry e : entries) {
                position = e.seq();
                if (rules != null && !visible(rules, ((Access.EndUser) access).auth(), e.event())) {
                    continue;
                }
                frames.add("id: " + e.seq() + "\nevent: " + e.type() + "\ndata: " + e.event() + "\n\n");
            }
        }
        return frames;
    }

    private boolean visible(Rules rules, RequestAuth auth, JsonNode event) {
        JsonNode image = event.get("after") != null && !event.get("after").isNull() ? event.get("after") : event.get("before");
        Map<String, Object> resource = Rules.resource(image.path("id").asText(), image.get("data"),
                image.path("version").asLong());
        return rules.allows(Operation.READ, auth, resource, null, clock.instant());
    }
}
