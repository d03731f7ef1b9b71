package dev.cumulus.sources;

import dev.cumulus.web.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume loop of one mapping. One virtual thread connects (driving the
 * {@link ConnectionStateMachine}), takes messages from the session and puts them into lanes; lane
 * workers cut batches (up to the batch size, waiting at most the batch window), invoke the
 * function, retry with exponential backoff, hand exhausted batches to the on-failure destination,
 * and only then acknowledge.
 *
 * <p>Lanes: with {@code ordered}, one lane per key (MQTT topic, NATS subject, AMQP queue) with one
 * batch in flight each, so per-key order holds; without, one lane with up to
 * {@link #PARALLEL_BATCHES} batches in flight. A session's lanes live and die with it: when the
 * connection breaks, messages not yet in a batch are left for redelivery, running batches stop
 * retrying (their acks could not arrive anyway), and the next session starts only once they are
 * done, so a redelivered message never overtakes its own earlier copy.
 */
final class MappingRunner {
    private static final Logger LOG = LoggerFactory.getLogger(MappingRunner.class);
    static final int PARALLEL_BATCHES = 4;
    static final Duration POLL = Duration.ofMillis(250);
    static final Duration FIRST_INVOKE_RETRY = Duration.ofMillis(500);
    static final Duration MAX_INVOKE_RETRY = Duration.ofSeconds(30);

    private final SourceMapping mapping;
    private final Broker broker;
    private final Dispatch dispatch;
    private final ConnectionStateMachine connection;
    private final Clock clock;
    private final int capacity;
    private final Semaphore credits;
    private final Semaphore slots = new Semaphore(PARALLEL_BATCHES);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong processed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Lanes current;
    private Thread loop;

    MappingRunner(SourceMapping mapping, Broker broker, Dispatch dispatch, ConnectionStateMachine connection,
            Clock clock) {
        this.mapping = mapping;
        this.broker = broker;
        this.dispatch = dispatch;
        this.connection = connection;
        this.clock = clock;
        this.capacity = mapping.batchSize() * PARALLEL_BATCHES * 2;
        this.credits = new Semaphore(capacity);
    }

    /** Counters for the API. */
    record Counters(int inFlight, long processed, long failed, long retries) {}

    /** Messages waiting at the broker for this mapping; empty while disconnected or where the broker does not say. */
    OptionalLong backlog() {
        Lanes lanes = current;
        return lanes == null || lanes.over.getCount() == 0 ? OptionalLong.empty() : lanes.session.backlog();
    }

    Counters counters() {
        return new Counters(inFlight.get(), processed.get(), failed.get(), retries.get());
    }

    synchronized void start() {
        loop = Thread.ofVirtual().name("source-" + mapping.name()).start(this::run);
    }

    /**
     * Stops taking messages; batches already invoking finish (and are acknowledged if they
     * succeed), everything else is left unacknowledged for redelivery.
     *
     * @return false if the loop did not end within {@code grace}
     */
    boolean stop(Duration grace) {
        stopping = true;
        stopSignal.countDown();
        Lanes lanes = current;
        if (lanes != null) {
            lanes.over.countDown();
        }
        Thread thread;
        synchronized (this) {
            thread = loop;
        }
        if (thread == null) {
            return true;
        }
        try {
            if (!thread.join(grace)) {
                thread.interrupt();
                return thread.join(Duration.ofSeconds(2));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void run() {
        while (!stopping) {
            if (!connection.connecting()) {
                return;
            }
            Duration wait;
            BrokerSession session;
            try {
                session = broker.connect(capacity);
            } catch (InterruptedException e) {
                connection.lost("interrupted while connecting");
                return;
            } catch (Exception | LinkageError e) {
                wait = connection.lost(SourceErrors.describe(e));
                LOG.info("source {}: cannot connect to {} ({}); next attempt in {} ms", mapping.name(),
                        Urls.redact(mapping.url()), SourceErrors.describe(e), wait.toMillis());
                if (pause(wait)) return;
                continue;
            }
            try {
                if (!connection.connected()) {
                    return;
                }
                LOG.info("source {}: connected to {}", mapping.name(), Urls.redact(mapping.url()));
                consume(session);
                return; // consume returns only when stopping
            } catch (BrokerSession.ConnectionLostException | InterruptedException e) {
                wait = connection.lost(SourceErrors.describe(e));
                LOG.warn("source {}: {}; reconnecting in {} ms", mapping.name(), SourceErrors.describe(e), wait.toMillis());
            } catch (RuntimeException e) {
                wait = connection.lost(SourceErrors.describe(e));
                LOG.warn("source {}: consuming failed; reconnecting in {} ms", mapping.name(), wait.toMillis(), e);
            } finally {
                session.close();
            }
            if (pause(wait)) return;
        }
    }

    /** @return true when stopping */
    private boolean pause(Duration wait) {
        try {
            return stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS) || stopping;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private void consume(BrokerSession session) throws InterruptedException {
        Lanes lanes = new Lanes(session);
        current = lanes;
        try {
            while (!stopping) {
                if (!credits.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    // full of work: still notice a lost connection, so the state tells the truth
                    // and batches in their retries stop early
                    session.checkAlive();
                    continue;
                }
                Delivery delivery;
                try {
                    delivery = session.next(POLL);
                } catch (RuntimeException | InterruptedException e) {
                    credits.release();
                    throw e;
                }
                if (delivery == null) {
                    credits.release();
                    continue;
                }
                inFlight.incrementAndGet();
                lanes.offer(delivery);
            }
        } finally {
            lanes.end();
        }
    }

    /** The lanes of one session. */
    private final class Lanes {
        final BrokerSession session;
        final CountDownLatch over = new CountDownLatch(1);
        private final Map<String, Lane> lanes = new HashMap<>();
        private int running;

        Lanes(BrokerSession session) {
            this.session = session;
        }

        boolean over() {
            return over.getCount() == 0 || stopping;
        }

        synchronized void offer(Delivery delivery) {
            String key = mapping.ordered() ? delivery.key() : "";
            Lane lane = lanes.computeIfAbsent(key, Lane::new);
            lane.queue.add(delivery);
            if (lane.workers < (mapping.ordered() ? 1 : PARALLEL_BATCHES)) {
                lane.workers++;
                running++;
                Thread.ofVirtual().name("source-" + mapping.name() + "-batch").start(() -> work(lane));
            }
        }

        /** Leaves queued messages for redelivery and waits for running batches. */
        void end() {
            over.countDown();
            List<Delivery> dropped = new ArrayList<>();
            synchronized (this) {
                for (Lane lane : lanes.values()) {
                    lane.queue.drainTo(dropped);
                }
            }
            dropped.forEach(d -> release(d, session));
            synchronized (this) {
                boolean interrupted = false;
                while (running > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true; // batches still finish: their invocations cannot be recalled
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        private void work(Lane lane) {
            try {
                while (true) {
                    List<Delivery> batch = take(lane);
                    if (batch.isEmpty()) {
                        synchronized (this) {
                            if (lane.queue.isEmpty() || over()) {
                                lane.workers--;
                                if (lane.workers == 0) lanes.remove(lane.key, lane);
                                return;
                            }
                        }
                        continue;
                    }
                    slots.acquireUninterruptibly();
                    try {
                        process(batch, this);
                    } finally {
                        slots.release();
                    }
                }
            } catch (RuntimeException | Error e) {
                LOG.error("source {}: batch worker failed", mapping.name(), e);
            } finally {
                synchronized (this) {
                    running--;
                    notifyAll();
                }
            }
        }

        private List<Delivery> take(Lane lane) {
            List<Delivery> batch = new ArrayList<>(mapping.batchSize());
            if (over()) {
                return batch;
            }
            Delivery first = lane.queue.poll();
            if (first == null) {
                return batch;
            }
            batch.add(first);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(mapping.batchWindowMs());
            while (batch.size() < mapping.batchSize()) {
                long left = deadline - System.nanoTime();
                Delivery next;
                try {
                    next = left <= 0 ? lane.queue.poll() : lane.queue.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (next == null) break;
                batch.add(next);
            }
            return batch;
        }

        /** @return true when the session ended or the runner stops during the wait */
        boolean pause(Duration wait) {
            try {
                return over.await(wait.toMillis(), TimeUnit.MILLISECONDS) || stopping;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
    }

    private static final class Lane {
        final String key;
        final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
        int workers;

        Lane(String key) {
            this.key = key;
        }
    }

    private void process(List<Delivery> batch, Lanes lanes) {
        byte[] payload = SqsBatch.json(mapping, batch);
        Dispatch.FailureReason reason;
        int attempts = 0;
        while (true) {
            attempts++;
            try {
                reason = dispatch.invoke(mapping, payload);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon(batch, lanes);
                return;
            }
            if (reason == null) {
                processed.addAndGet(batch.size());
                acknowledge(batch, lanes);
                return;
            }
            connection.noteError("invoking " + mapping.function() + " failed: " + reason);
            if (attempts > mapping.maxRetries()) {
                break;
            }
            if (lanes.over() || lanes.pause(retryDelay(attempts))) {
                abandon(batch, lanes);
                return;
            }
            retries.incrementAndGet();
        }
        if (!deliverFailure(batch, payload, reason, attempts, lanes)) {
            abandon(batch, lanes);
            return;
        }
        failed.addAndGet(batch.size());
        acknowledge(batch, lanes);
    }

    /** @return false when the session ended before the destination took the batch */
    private boolean deliverFailure(List<Delivery> batch, byte[] payload, Dispatch.FailureReason reason, int attempts,
            Lanes lanes) {
        OnFailure destination = mapping.onFailure();
        if (destination == null) {
            LOG.warn("source {}: {} message(s) failed {} time(s) ({}); no onFailure destination, so they are dropped",
                    mapping.name(), batch.size(), attempts, reason);
            return true;
        }
        byte[] record = failureRecord(payload, reason, attempts);
        String key = idempotencyKey(batch);
        for (int attempt = 1; ; attempt++) {
            try {
                dispatch.onFailure(mapping, destination, record, key);
                LOG.info("source {}: {} message(s) failed {} time(s) ({}); sent to {}", mapping.name(), batch.size(),
                        attempts, reason, destination.spec());
                return true;
            } catch (RuntimeException e) {
                connection.noteError("onFailure destination " + destination.spec() + " refused the batch: "
                        + SourceErrors.describe(e));
                if (lanes.pause(retryDelay(attempt))) {
                    return false;
                }
            }
        }
    }

    private byte[] failureRecord(byte[] payload, Dispatch.FailureReason reason, int attempts) {
        Map<String, Object> requestContext = new LinkedHashMap<>();
        requestContext.put("condition", "RetryAttemptsExhausted");
        requestContext.put("approximateInvokeCount", attempts);
        requestContext.put("function", mapping.function());
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("mapping", mapping.name());
        source.put("type", mapping.type().wireName());
        source.put("eventSource", mapping.type().eventSource());
        source.put("eventSourceARN", mapping.arn());
        source.put("target", mapping.target());
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("errorType", reason.errorType());
        why.put("errorMessage", reason.errorMessage());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("version", "1.0");
        record.put("timestamp", clock.instant().toString());
        record.put("requestContext", requestContext);
        record.put("source", source);
        record.put("reason", why);
        try {
            record.put("batch", Json.MAPPER.readTree(payload));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the batch is JSON we wrote", e);
        }
        return Json.write(record);
    }

    /** The same batch failing again after a redelivery collapses into one destination event. */
    private String idempotencyKey(List<Delivery> batch) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Delivery delivery : batch) {
                digest.update(delivery.messageId().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return "source:" + mapping.name() + ":" + HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Duration retryDelay(int attempt) {
        return Backoff.doubling(FIRST_INVOKE_RETRY, MAX_INVOKE_RETRY, attempt);
    }

    private void acknowledge(List<Delivery> batch, Lanes lanes) {
        for (Delivery delivery : batch) {
            try {
                lanes.session.ack(delivery);
            } catch (BrokerSession.ConnectionLostException e) {
                // the broker redelivers it on the next session: at least once, never lost
                LOG.debug("source {}: ack of {} lost with the connection", mapping.name(), delivery.messageId());
            } catch (RuntimeException e) {
                LOG.warn("source {}: ack of {} failed", mapping.name(), delivery.messageId(), e);
            } finally {
                credits.release();
                inFlight.decrementAndGet();
            }
        }
    }

    private void abandon(List<Delivery> batch, Lanes lanes) {
        batch.forEach(d -> release(d, lanes.session));
    }

    private void release(Delivery delivery, BrokerSession session) {
        try {
            session.release(delivery);
        } finally {
            credits.release();
            inFlight.decrementAndGet();
        }
    }
}
