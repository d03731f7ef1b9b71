package dev.cumulus.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.async.DeliveryStateMachine.Outcome;
import dev.cumulus.async.DeliveryStateMachine.State;
import dev.cumulus.async.DeliveryStateMachine.Transition;
import dev.cumulus.async.OutboxRow.TargetKind;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.registry.AsyncConfig.Destination;
import dev.cumulus.store.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's storage contract; one subclass per Store backend runs it. */
abstract class OutboxContract {
    static final Instant T0 = Instant.parse("2026-11-27T00:00:00Z");
    static final Instant LEASE = T0.plus(Dispatcher.LEASE);

    @TempDir
    Path dir;

    TestDatabase test;
    Outbox outbox;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        outbox = new Outbox(test.db());
    }

    @AfterEach
    void close() {
        test.close();
    }

    static OutboxRow event(String function, String key, Instant at) {
        String id = UUID.randomUUID().toString();
        CloudEvent ce = new CloudEvent(id, "/v1/functions/" + function, "dev.cumulus.function.invoke", "s/1", at,
                "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        return OutboxRow.queued(id, "default", TargetKind.FUNCTION, function, function, key, null, ce,
                PayloadFormat.RAW, at);
    }

    @Test
    void aStoredEventReadsBackWhole() {
        OutboxRow row = event("f", null, T0);
        assertThat(outbox.insert(row)).isEqualTo(new Outbox.Inserted(row.requestId(), false));

        OutboxRow read = outbox.find(row.requestId()).orElseThrow();
        assertThat(read.state()).isEqualTo(State.QUEUED);
        assertThat(read.event().attributesJson()).isEqualTo(row.event().attributesJson());
        assertThat(new String(read.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        assertThat(read.createdAt()).isEqualTo(T0);
    }

    @Test
    void anIdempotencyKeyCollapsesRepeatsIntoTheFirstEventPerFunction() {
        OutboxRow first = event("f", "order-42", T0);
        outbox.insert(first);

        Outbox.Inserted again = outbox.insert(event("f", "order-42", T0.plusSeconds(1)));
        Outbox.Inserted otherFunction = outbox.insert(event("g", "order-42", T0.plusSeconds(1)));

        assertThat(again).isEqualTo(new Outbox.Inserted(first.requestId(), true));
        assertThat(otherFunction.duplicate()).isFalse();
        assertThat(outbox.recent("default", "f", null, 10)).hasSize(1);
    }

    @Test
    void eventsWithoutKeysNeverCollide() {
        outbox.insert(event("f", null, T0));
        outbox.insert(event("f", null, T0));
        assertThat(outbox.recent("default", "f", null, 10)).hasSize(2);
    }

    @Test
    void aFunctionWithMaxPendingEventsWaitingTakesNoMoreUntilOneEnds() {
        outbox.insert(event("f", "first", T0), 2);
        outbox.insert(event("f", null, T0), 2);
        OutboxRow refused = event("f", null, T0);

        assertThatThrownBy(() -> outbox.insert(refused, 2)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("TooManyPendingEvents");
            assertThat(e.getMessage()).contains("function f already has 2 asynchronous events waiting");
        });
        assertThat(outbox.find(refused.requestId())).isEmpty();
        // a repeat of a kept event is still answered with that event, and other functions have their own room
        assertThat(outbox.insert(event("f", "first", T0), 2).duplicate()).isTrue();
        assertThat(outbox.insert(event("g", null, T0), 2).duplicate()).isFalse();

        OutboxRow running = outbox.claim("node-a", T0, LEASE, 1).getFirst();
        outbox.settle(running, "node-a", new Attempt(1, T0, T0, "succeeded", "1", null, null),
                new Transition(State.SUCCEEDED, 1, null, null, null, null, null), null);
        assertThat(outbox.insert(event("f", null, T0), 2).duplicate()).isFalse();
    }

    @Test
    void claimTakesOnlyDueEventsAndEachOnlyOnce() {
        OutboxRow due = event("f", null, T0);
        OutboxRow later = event("f", null, T0.plusSeconds(60));
        outbox.insert(due);
        outbox.insert(later);

        List<OutboxRow> claimed = outbox.claim("node-a", T0, LEASE, 10);

        assertThat(claimed).extracting(OutboxRow::requestId).containsExactly(due.requestId());
        assertThat(claimed.getFirst().state()).isEqualTo(State.RUNNING);
        assertThat(outbox.claim("node-b", T0, LEASE, 10)).isEmpty();
        assertThat(outbox.nextDue()).contains(T0.plusSeconds(60));
    }

    @Test
    void settlingStoresTheStateTheAttemptAndTheDestinationInOneStep() {
        OutboxRow row = event("f", null, T0);
        outbox.insert(row);
        OutboxRow running = outbox.claim("node-a", T0, LEASE, 1).getFirst();
        Transition t = new Transition(State.DEAD_LETTERED, 3, null, "Boom", "it broke",
                new Destination(Destination.Kind.FUNCTION, "dlq"), DeliveryStateMachine.Condition.RETRIES_EXHAUSTED);
        Outcome outcome = new Outcome.Failure("Boom", "it broke", "$LATEST");
        OutboxRow dlq = Destinations.record(running, t, outcome, T0.plusSeconds(1));

        boolean settled = outbox.settle(running, "node-a",
                new Attempt(1, T0, T0.plusSeconds(1), "failed", "$LATEST", "Boom", "it broke"), t, dlq);

        assertThat(settled).isTrue();
        OutboxRow read = outbox.find(row.requestId()).orElseThrow();
        assertThat(read.state()).isEqualTo(State.DEAD_LETTERED);
        assertThat(read.attempts()).isEqualTo(3);
        assertThat(read.tries()).isEqualTo(1);
        assertThat(read.errorType()).isEqualTo("Boom");
        assertThat(outbox.attempts(row.requestId())).containsExactly(
                new Attempt(1, T0, T0.plusSeconds(1), "failed", "$LATEST", "Boom", "it broke"));
        List<OutboxRow> carried = outbox.carrying(row.requestId());
        assertThat(carried).singleElement().satisfies(d -> {
            assertThat(d.functionName()).isEqualTo("dlq");
            assertThat(d.state()).isEqualTo(State.QUEUED);
            assertThat(d.event().type()).isEqualTo(Destinations.FAILURE_TYPE);
            assertThat(new String(d.event().data(), StandardCharsets.UTF_8))
                    .contains("\"errorType\":\"Boom\"", "\"attempts\":3", "\"requestPayload\":{\"n\":1}");
        });
    }

    @Test
    void anotherOwnerCannotSettleAnEvent() {
        outbox.insert(event("f", null, T0));
        OutboxRow running = outbox.claim("node-a", T0, LEASE, 1).getFirst();
        Transition t = new Transition(State.SUCCEEDED, 1, null, null, null, null, null);

        assertThat(outbox.settle(running, "node-b", new Attempt(1, T0, T0, "succeeded", "1", null, null), t, null))
                .isFalse();
        assertThat(outbox.find(running.requestId()).orElseThrow().state()).isEqualTo(State.RUNNING);
        assertThat(outbox.attempts(running.requestId())).isEmpty();
    }

    @Test
    void aRestartedNodeQueuesAgainWhatItWasRunning() {
        OutboxRow row = event("f", null, T0);
        outbox.insert(row);
        outbox.claim("node-a", T0, LEASE, 1);
        outbox = new Outbox(test.reopen());

        assertThat(outbox.recoverOwned("node-b", T0.plusSeconds(5))).isZero();
        assertThat(outbox.recoverOwned("node-a", T0.plusSeconds(5))).isEqualTo(1);

        OutboxRow read = outbox.find(row.requestId()).orElseThrow();
        assertThat(read.state()).isEqualTo(State.QUEUED);
        assertThat(outbox.attempts(row.requestId())).singleElement()
                .satisfies(a -> {
                    assertThat(a.outcome()).isEqualTo("interrupted");
                    assertThat(a.startedAt()).isEqualTo(T0);
                });
        assertThat(outbox.claim("node-a", T0.plusSeconds(5), LEASE, 1)).hasSize(1);
    }

    @Test
    void aRunningEventWhoseLeaseRanOutIsTakenOverByAnotherNode() {
        OutboxRow row = event("f", null, T0);
        outbox.insert(row);
        outbox.claim("node-a", T0, T0.plusSeconds(30), 1);

        assertThat(outbox.claim("node-b", T0.plusSeconds(10), LEASE, 1)).isEmpty();
        List<OutboxRow> taken = outbox.claim("node-b", T0.plusSeconds(31), LEASE, 1);

        assertThat(taken).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo(State.RUNNING);
            assertThat(r.tries()).isEqualTo(1);
        });
        assertThat(outbox.attempts(row.requestId())).extracting(Attempt::outcome).containsExactly("interrupted");
    }

    @Test
    void recentListsNewestFirstAndFiltersByState() {
        OutboxRow old = event("f", null, T0);
        OutboxRow young = event("f", null, T0.plusSeconds(5));
        outbox.insert(old);
        outbox.insert(young);
        outbox.claim("n", T0, LEASE, 1);

        assertThat(outbox.recent("default", "f", null, 10)).extracting(OutboxRow::requestId)
                .containsExactly(young.requestId(), old.requestId());
        assertThat(outbox.recent("default", "f", State.RUNNING, 10)).extracting(OutboxRow::requestId)
                .containsExactly(old.requestId());
        assertThat(outbox.recent("default", "f", null, 1)).hasSize(1);
    }

    @Test
    void purgeDeletesOnlyEventsThatEndedBeforeTheCutoff() {
        OutboxRow done = event("f", "k", T0);
        OutboxRow pending = event("f", null, T0);
        outbox.insert(done);
        outbox.insert(pending);
        OutboxRow running = outbox.claim("n", T0, LEASE, 1).getFirst();
        OutboxRow other = running.requestId().equals(done.requestId()) ? pending : done;
        outbox.settle(running, "n", new Attempt(1, T0, T0, "succeeded", "1", null, null),
                new Transition(State.SUCCEEDED, 1, null, null, null, null, null), null);

        assertThat(outbox.purge(T0.minus(Duration.ofSeconds(1)))).isZero();
        assertThat(outbox.purge(T0.plusSeconds(1))).isEqualTo(1);

        assertThat(outbox.find(running.requestId())).isEmpty();
        assertThat(outbox.attempts(running.requestId())).isEmpty();
        assertThat(outbox.find(other.requestId())).isPresent();
    }
}
