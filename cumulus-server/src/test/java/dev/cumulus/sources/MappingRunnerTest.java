package dev.cumulus.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.web.Json;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consume loop's logic against an in-memory broker (requeues what a closed session held, at
 * the front, like RabbitMQ) and a recording dispatch. The real brokers are in EventSourcesTest.
 */
class MappingRunnerTest {
    private final FakeBroker broker = new FakeBroker();
    private final RecordingDispatch dispatch = new RecordingDispatch();
    private final ConnectionStateMachine connection = new ConnectionStateMachine(Clock.systemUTC(), true);
    private MappingRunner runner;

    @AfterEach
    void stop() {
        if (runner != null) runner.stop(Duration.ofSeconds(10));
    }

    private MappingRunner start(int batchSize, boolean ordered, int maxRetries, OnFailure onFailure) {
        SourceMapping mapping = new SourceMapping("default", "m", SourceType.AMQP, "amqp://127.0.0.1", null, null, null, "q", "f",
                batchSize, 20, ordered, maxRetries, onFailure, true, Instant.EPOCH);
        runner = new MappingRunner(mapping, broker, dispatch, connection, Clock.systemUTC());
        runner.start();
        return runner;
    }

    @Test
    void orderedBatchesHoldOneKeyInOrderAndAreAckedAfterSuccess() {
        for (int i = 0; i < 15; i++) {
            broker.publish("a", "a" + i);
            broker.publish("b", "b" + i);
        }
        start(4, true, 0, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.acked.size() == 30);

        Map<String, List<String>> perKey = new HashMap<>();
        for (List<String> batch : dispatch.batches()) {
            assertThat(batch).hasSizeBetween(1, 4);
            String key = batch.getFirst().substring(0, 1);
            assertThat(batch).allMatch(body -> body.startsWith(key));
            perKey.computeIfAbsent(key, k -> new ArrayList<>()).addAll(batch);
        }
        for (String key : List.of("a", "b")) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 15; i++) expected.add(key + i);
            assertThat(perKey.get(key)).containsExactlyElementsOf(expected);
        }
        assertThat(connection.state()).isEqualTo(ConnectionStateMachine.State.CONNECTED);
        await().untilAsserted(() -> assertThat(runner.counters()).isEqualTo(new MappingRunner.Counters(0, 30, 0, 0)));
    }

    @Test
    void aBatchThatKeepsFailingGoesToItsDestinationWithTheReasonAndIsThenAcked() throws Exception {
        broker.publish("q", "fail-1");
        start(10, false, 1, new OnFailure.ToFunction("dlq"));
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.acked.size() == 1);

        assertThat(dispatch.batches()).containsExactly(List.of("fail-1"), List.of("fail-1"));
        assertThat(dispatch.failures).hasSize(1);
        JsonNode record = Json.MAPPER.readTree(dispatch.failures.getFirst());
        assertThat(record.path("reason").path("errorMessage").asText()).isEqualTo("refusing fail-1");
        assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(2);
        assertThat(record.path("batch").path("Records").get(0).path("body").asText()).isEqualTo("fail-1");
        assertThat(runner.counters()).isEqualTo(new MappingRunner.Counters(0, 0, 1, 1));
        assertThat(connection.snapshot().lastError()).contains("refusing fail-1");
    }

    @Test
    void aDestinationThatRefusesKeepsTheBatchUnacknowledgedUntilItTakesIt() {
        dispatch.destinationRefuses = true;
        broker.publish("q", "fail-1");
        start(10, false, 0, new OnFailure.ToFunction("dlq"));
        await().atMost(Duration.ofSeconds(20)).until(() -> connection.snapshot().lastError() != null
                && connection.snapshot().lastError().contains("refused the batch"));
        assertThat(broker.acked).isEmpty();
        dispatch.destinationRefuses = false;
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.acked.size() == 1);
        assertThat(dispatch.failures).hasSize(1);
    }

    @Test
    void aLostConnectionRedeliversWhatWasNotAckedAndReconnects() {
        for (int i = 0; i < 10; i++) broker.publish("q", "m" + i);
        // the first batch succeeds, but the connection breaks before its acks can go out
        dispatch.onInvoke = batch -> {
            if (batch.contains("m0") && broker.connects.get() == 1) broker.current.broken = true;
        };
        start(5, true, 0, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.acked.size() == 10);

        assertThat(broker.connects.get()).isEqualTo(2);
        assertThat(broker.acked).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        List<String> seen = new ArrayList<>();
        dispatch.batches().forEach(seen::addAll);
        assertThat(seen.subList(seen.size() - 10, seen.size()))
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(connection.state()).isEqualTo(ConnectionStateMachine.State.CONNECTED);
        assertThat(connection.snapshot().lastError()).isEqualTo("the fake connection broke");
    }

    @Test
    void anUnreachableBrokerIsRetriedWithTheErrorShown() {
        broker.refuse = true;
        start(5, false, 0, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> connection.snapshot().failedAttempts() >= 2);
        assertThat(connection.snapshot().lastError()).isEqualTo("ConnectException: Connection refused");
        broker.refuse = false;
        await().atMost(Duration.ofSeconds(20)).until(() -> connection.state() == ConnectionStateMachine.State.CONNECTED);
    }

    @Test
    void stopLetsTheRunningBatchFinishAndLeavesTheRestUnacknowledged() throws Exception {
        CountDownLatch invoking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        dispatch.onInvoke = batch -> {
            invoking.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < 6; i++) broker.publish("q", "m" + i);
        start(2, true, 3, null);
        assertThat(invoking.await(10, TimeUnit.SECONDS)).isTrue();

        Thread stopper = Thread.ofVirtual().start(() -> runner.stop(Duration.ofSeconds(10)));
        // the four messages queued behind the running batch are let go at once; the batch is not
        await().atMost(Duration.ofSeconds(5)).until(() -> runner.counters().inFlight() == 2);
        assertThat(broker.acked).isEmpty();
        release.countDown();
        stopper.join(Duration.ofSeconds(10));
        assertThat(stopper.isAlive()).isFalse();

        assertThat(dispatch.batches()).containsExactly(List.of("m0", "m1"));
        assertThat(broker.acked).containsExactly("m0", "m1");
        assertThat(broker.pending).extracting(Delivery::messageId).containsExactly("m2", "m3", "m4", "m5");
        assertThat(runner.counters().inFlight()).isZero();
    }

    /** A broker in memory: a closed session's unacked messages go back to the front, in order. */
    static final class FakeBroker implements Broker {
        final LinkedBlockingDeque<Delivery> pending = new LinkedBlockingDeque<>();
        final List<String> acked = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Integer> sequence = new HashMap<>();
        final AtomicInteger connects = new AtomicInteger();
        volatile boolean refuse;
        volatile FakeSession current;

        void publish(String key, String body) {
            sequence.put(body, sequence.size());
            pending.add(new Delivery(body, key, body.getBytes(StandardCharsets.UTF_8), Map.of("queue", key), Map.of(),
                    System.currentTimeMillis(), null));
        }

        @Override
        public BrokerSession connect(int capacity) throws Exception {
            if (refuse) throw new ConnectException("Connection refused");
            connects.incrementAndGet();
            current = new FakeSession();
            return current;
        }

        final class FakeSession implements BrokerSession {
            final Map<String, Delivery> outstanding = new LinkedHashMap<>();
            volatile boolean broken;

            @Override
            public Delivery next(Duration timeout) throws InterruptedException {
                checkAlive();
                Delivery d = pending.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (d != null) {
                    synchronized (this) {
                        outstanding.put(d.messageId(), d);
                    }
                }
                return d;
            }

            @Override
            public void checkAlive() {
                if (broken) throw new ConnectionLostException("the fake connection broke", null);
            }

            @Override
            public synchronized void ack(Delivery delivery) {
                checkAlive();
                outstanding.remove(delivery.messageId());
                acked.add(delivery.messageId());
            }

            @Override
            public synchronized void close() {
                List<Delivery> back = new ArrayList<>(outstanding.values());
                back.sort(Comparator.comparing((Delivery d) -> sequence.get(d.messageId())).reversed());
                back.forEach(pending::addFirst);
                outstanding.clear();
            }
        }
    }

    /** Records every batch; fails those with a body starting "fail". */
    static final class RecordingDispatch implements Dispatch {
        private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> failures = Collections.synchronizedList(new ArrayList<>());
        volatile Consumer<List<String>> onInvoke = batch -> { };
        volatile boolean destinationRefuses;

        List<List<String>> batches() {
            synchronized (batches) {
                return List.copyOf(batches);
            }
        }

        @Override
        public FailureReason invoke(SourceMapping mapping, byte[] batch) {
            List<String> bodies = new ArrayList<>();
            try {
                for (JsonNode record : Json.MAPPER.readTree(batch).path("Records")) bodies.add(record.path("body").asText());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            batches.add(bodies);
            onInvoke.accept(bodies);
            for (String body : bodies) {
                if (body.startsWith("fail")) return new FailureReason("IllegalStateException", "refusing " + body);
            }
            return null;
        }

        @Override
        public void onFailure(SourceMapping mapping, OnFailure destination, byte[] record, String idempotencyKey) {
            if (destinationRefuses) throw new IllegalStateException("no room");
            failures.add(record);
        }
    }
}
