package dev.cumulus.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.errors.ApiException;
import dev.cumulus.events.S3EventNotifications;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces committed object changes. Each change is one CloudEvent
 * ({@code dev.cumulus.storage.ObjectCreated:Put}, source {@code /storage/<bucket>}, subject the
 * key, data the S3 event notification): published on the event bus to the project's topic
 * {@code storage.<bucket>} when that topic exists, and submitted as an asynchronous event (with
 * the async retries and dead-letter destination every such event has) to each of the bucket's
 * {@link Trigger}s that takes it. The S3 shape is what Lambda hands functions, so handlers
 * written for S3 events run unchanged.
 *
 * <p>Recursion: a change carries its hop count, the number of storage-triggered invocations
 * that led to it (a client's own write is 0). The trigger's event carries {@code hops + 1} in
 * the record's {@code responseElements["x-cumulus-storage-hops"]}, and a write that sends it back
 * ({@code X-Cumulus-Storage-Hops}, as the function API's storage client does) continues the
 * chain. At {@link #MAX_HOPS} the chain stops: no trigger runs, and the stop is logged and
 * audited, as Lambda stops recursive loops.
 */
public final class StorageEvents {
    private static final Logger LOG = LoggerFactory.getLogger(StorageEvents.class);
    /** How many storage-triggered invocations one chain may have, as Lambda's recursion limit. */
    public static final int MAX_HOPS = 16;
    public static final String HOPS_HEADER = "X-Cumulus-Storage-Hops";
    static final String HOPS_ELEMENT = "x-cumulus-storage-hops";
    static final String TYPE_PREFIX = "dev.cumulus.storage.";

    /** Checks that a trigger's function exists (404 otherwise). */
    public interface Functions {
        void require(String project, String function);
    }

    /** Records a stopped chain in the audit log. */
    public interface Audit {
        void recursionStopped(String project, String bucket, String key, int hops);
    }

    private final StorageStore store;
    private final TopicSink bus;
    private final AsyncInvoker async;
    private final Functions functions;
    private final Audit audit;
    private final Clock clock;
    /**
     * How long the hop count of a storage-triggered invocation is kept (in the Store, V18, so it
     * survives restarts and serves every retry, which keeps its request id): far longer than an
     * invocation with its retries lasts.
     */
    static final Duration HOPS_KEPT = Duration.ofDays(7);
    /** Old hop counts are pruned once every this many remembered. */
    private static final int PRUNE_EVERY = 256;
    private final java.util.concurrent.atomic.AtomicLong remembered = new java.util.concurrent.atomic.AtomicLong();

    public StorageEvents(Database db, TopicSink bus, AsyncInvoker async, Functions functions, Audit audit, Clock clock) {
        this.store = new StorageStore(db);
        this.bus = bus;
        this.async = async;
        this.functions = functions;
        this.audit = audit;
        this.clock = clock;
    }

    void requireFunction(String project, String function) {
        try {
            functions.require(project, function);
        } catch (ApiException e) {
            throw new ApiException(400, "InvalidArgument", "Unable to validate the following destination"
                    + " configurations: function " + function + ": " + e.getMessage());
        }
    }

    /** The topic a bucket's changes are published on, when the project has it. */
    public static String topic(String bucket) {
        return "storage." + bucket;
    }

    /**
     * One committed change.
     *
     * @param size null for removals
     * @param hops the hop count of the request that made it
     */
    void changed(String project, String bucket, String key, String eventName, Long size, String etag, int hops) {
        Instant now = clock.instant();
        String id = Invoker.newRequestId();
        List<Trigger> triggers = store.triggers(project, bucket).stream().filter(t -> t.matches(eventName, key)).toList();
        String topic = topic(bucket);
        boolean published = bus.exists(project, topic);
        if (triggers.isEmpty() && !published) {
            return;
        }
        byte[] data = notification(bucket, key, eventName, size, etag, now, id, hops + 1);
        CloudEvent event = new CloudEvent(id, "/storage/" + bucket, TYPE_PREFIX + eventName, key, now, data);
        if (published) {
            try {
                bus.publish(project, topic, event);
            } catch (RuntimeException e) {
                LOG.warn("storage event {} for {}/{} could not be published on topic {}", id, bucket, key, topic, e);
            }
        }
        if (triggers.isEmpty()) {
            return;
        }
        if (hops >= MAX_HOPS) {
            LOG.error("recursive invocation chain stopped: {} {}/{} in project {} was caused by {} storage-triggered"
                    + " invocations in a row; its {} trigger(s) are not invoked (limit {})", eventName, bucket, key,
                    project, hops, triggers.size(), MAX_HOPS);
            audit.recursionStopped(project, bucket, key, hops);
            return;
        }
        for (Trigger t : triggers) {
            try {
                AsyncInvoker.Accepted accepted = async.submit(new AsyncInvoker.Event(t.function(), data,
                        id + ":" + t.id(), event.source(), event.type(), key, id, AsyncInvoker.PayloadFormat.RAW, project));
                // a function writing with this invocation's token continues from here
                store.rememberHops(project, accepted.requestId(), hops + 1, now);
                if (remembered.incrementAndGet() % PRUNE_EVERY == 0) {
                    store.forgetHopsBefore(now.minus(HOPS_KEPT));
                }
            } catch (RuntimeException e) {
                LOG.warn("storage trigger {} of bucket {} could not take event {} for {}", t.id(), bucket, id, key, e);
            }
        }
    }

    static byte[] notification(String bucket, String key, String eventName, Long size, String etag, Instant time,
            String requestId, int hops) {
        byte[] s3 = S3EventNotifications.toEvent(List.of(new S3EventNotifications.ObjectEvent(eventName, bucket, key,
                size, etag, time, null, requestId, null)));
        try {
            ObjectNode root = (ObjectNode) Json.MAPPER.readTree(s3);
            ((ObjectNode) root.get("Records").get(0).get("responseElements")).put(HOPS_ELEMENT, Integer.toString(hops));
            return Json.write(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hop count of invocation {@code requestId} of {@code project}: 0 unless a storage trigger started it. */
    public int hopsOf(String project, String requestId) {
        return requestId == null ? 0 : store.hopsOf(project, requestId);
    }

    /** The hop count a request declares; 0 without one, capped so a client cannot overflow it. */
    public static int hops(String header) {
        if (header == null) {
            return 0;
        }
        try {
            return Math.max(0, Math.min(Integer.parseInt(header.strip()), 1_000));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "InvalidArgument", HOPS_HEADER + " must be a number");
        }
    }
}
