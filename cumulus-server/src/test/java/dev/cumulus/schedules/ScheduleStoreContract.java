package dev.cumulus.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schedule store and the dispatcher's tick claiming and catch-up; one subclass per Store backend. */
abstract class ScheduleStoreContract {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @TempDir
    Path dir;

    TestDatabase test;
    ScheduleStore store;
    final MutableClock clock = new MutableClock(T0);
    final List<AsyncInvoker.Event> submitted = new CopyOnWriteArrayList<>();
    final AtomicReference<RuntimeException> refuse = new AtomicReference<>();
    final AsyncInvoker async = event -> {
        if (refuse.get() != null) throw refuse.get();
        submitted.add(event);
        return new AsyncInvoker.Accepted("req-" + submitted.size(), false);
    };

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        store = new ScheduleStore(test.db());
    }

    @AfterEach
    void close() {
        test.close();
    }

    /** A clock tests move by hand. */
    Schedule rate(String name, String rate, CatchUp catchUp) {
        Trigger trigger = Trigger.RateTrigger.parse(rate, T0);
        return new Schedule("s-" + name, "default", name, "fn", trigger.expression(), ZoneId.of("UTC"),
                "{\"k\":1}", catchUp, true, T0, trigger.nextAfter(T0), 0, 0, null, T0, T0);
    }

    @Test
    void createsListsGetsAndDeletes() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        store.create(new Schedule("s-b", "default", "b", "fn:1", "cron(0 2 * * *)", ZoneId.of("Europe/Berlin"), null,
                new CatchUp.Skip(), false, T0, T0.plusSeconds(3600), 0, 0, null, T0, T0));
        store.create(new Schedule("s-c", "other", "a", "fn", "rate(1 minutes)", ZoneId.of("UTC"), null,
                new CatchUp.Skip(), true, T0, T0.plusSeconds(60), 0, 0, null, T0, T0));

        assertThat(store.get("default", "a")).contains(a);
        assertThat(store.list("default")).extracting(Schedule::name).containsExactly("a", "b");
        Schedule b = store.get("default", "b").orElseThrow();
        assertThat(b.timeZone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(b.payload()).isNull();
        assertThat(b.enabled()).isFalse();
        assertThat(b.catchUp()).isEqualTo(new CatchUp.Skip());
        assertThatThrownBy(() -> store.create(rate("a", "rate(2 minutes)", CatchUp.DEFAULT)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));

        assertThat(store.delete("default", "a")).isTrue();
        assertThat(store.delete("default", "a")).isFalse();
        assertThat(store.list("default")).extracting(Schedule::name).containsExactly("b");
        assertThat(store.list("other")).hasSize(1);
    }

    @Test
    void enableStartsAgainFromTheGivenTickAndDisableKeepsIt() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        Schedule off = store.setEnabled("default", "a", false, null, T0).orElseThrow();
        assertThat(off.enabled()).isFalse();
        assertThat(off.nextDue()).isEqualTo(a.nextDue());
        assertThat(store.due(T0.plusSeconds(3600), 10)).isEmpty();
        assertThat(store.earliestDue()).isEmpty();
        Schedule on = store.setEnabled("default", "a", true, T0.plusSeconds(7200), T0).orElseThrow();
        assertThat(on.enabled()).isTrue();
        assertThat(on.nextDue()).isEqualTo(T0.plusSeconds(7200));
        assertThat(store.earliestDue()).contains(T0.plusSeconds(7200));
        assertThat(store.setEnabled("default", "nope", true, T0, T0)).isEmpty();
    }

    @Test
    void aTickIsClaimedOnceEvenByRacingDispatchers() throws Exception {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        int racers = 4;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            List<Future<ScheduleStore.Claim>> results = new java.util.ArrayList<>();
            for (int i = 0; i < racers; i++) {
                results.add(pool.submit((Callable<ScheduleStore.Claim>) () -> {
                    start.await();
                    return store.claim(a, a.nextDue().plusSeconds(60), a.nextDue(), true, 0, T0);
                }));
            }
            start.countDown();
            long claimed = 0;
            for (Future<ScheduleStore.Claim> f : results) {
                if (f.get() == ScheduleStore.Claim.CLAIMED) claimed++;
            }
            assertThat(claimed).isEqualTo(1);
        }
        Schedule after = store.get("default", "a").orElseThrow();
        assertThat(after.nextDue()).isEqualTo(a.nextDue().plusSeconds(60));
        assertThat(after.firedTicks()).isEqualTo(1);
        assertThat(after.lastFired()).isEqualTo(a.nextDue());
        assertThat(store.pending()).extracting(ScheduleStore.Pending::tick).containsExactly(a.nextDue());
    }

    @Test
    void dispatcherFiresADueTickOnceWithTheScheduledEvent() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        Dispatcher dispatcher = new Dispatcher(store, async, clock);
        clock.set(a.nextDue().plusMillis(20));
        dispatcher.runDue(clock.instant());
        dispatcher.runDue(clock.instant());

        assertThat(submitted).hasSize(1);
        AsyncInvoker.Event event = submitted.getFirst();
        assertThat(event.qualifiedName()).isEqualTo("fn");
        assertThat(event.idempotencyKey()).isEqualTo("schedule:s-a@" + a.nextDue().toEpochMilli());
        assertThat(new String(event.payload())).contains("\"detail-type\":\"Scheduled Event\"", "\"detail\":{\"k\":1}",
                "\"time\":\"2026-06-01T10:01:00Z\"");
        Schedule after = store.get("default", "a").orElseThrow();
        assertThat(after.nextDue()).isEqualTo(T0.plusSeconds(120));
        assertThat(after.skippedTicks()).isZero();
        assertThat(store.ticks(a.id(), 10)).singleElement().satisfies(t -> {
            assertThat(t.outcome()).isEqualTo("sent");
            assertThat(t.requestId()).isEqualTo("req-1");
        });
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void missedTicksInsideTheWindowFireOnce() {
        Schedule a = store.create(rate("a", "rate(1 minute)", new CatchUp.FireOnceWithin(Duration.ofHours(1))));
        // the node was down for half an hour: 30 ticks were due
        clock.set(T0.plus(Duration.ofMinutes(30)).plusSeconds(30));
        new Dispatcher(store, async, clock).runDue(clock.instant());

        assertThat(submitted).singleElement().satisfies(e -> assertThat(new String(e.payload()))
                .contains("\"time\":\"2026-06-01T10:30:00Z\""));
        Schedule after = store.get("default", "a").orElseThrow();
        assertThat(after.skippedTicks()).isEqualTo(29);
        assertThat(after.firedTicks()).isEqualTo(1);
        assertThat(after.nextDue()).isEqualTo(T0.plus(Duration.ofMinutes(31)));
        assertThat(store.ticks(a.id(), 10)).singleElement().satisfies(t -> {
            assertThat(t.tick()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
            assertThat(t.skipped()).isEqualTo(29);
        });
    }

    @Test
    void lateTicksWithinTheToleranceEachFire() {
        Trigger trigger = Trigger.CronTrigger.parse("*/2 * * * * *", ZoneId.of("UTC"));
        Schedule s = store.create(new Schedule("s-c", "default", "c", "fn", trigger.expression(), ZoneId.of("UTC"), null,
                new CatchUp.Skip(), true, T0, trigger.nextAfter(T0), 0, 0, null, T0, T0));
        // a restart took 7 s: the ticks at +2, +4 and +6 s are late, not missed
        clock.set(T0.plusSeconds(7));
        new Dispatcher(store, async, clock).runDue(clock.instant());

        assertThat(submitted).extracting(AsyncInvoker.Event::subject)
                .containsExactly("2026-06-01T10:00:02Z", "2026-06-01T10:00:04Z", "2026-06-01T10:00:06Z");
        Schedule after = store.get("default", "c").orElseThrow();
        assertThat(after.skippedTicks()).isZero();
        assertThat(after.nextDue()).isEqualTo(T0.plusSeconds(8));
        assertThat(after.firedTicks()).isEqualTo(s.firedTicks() + 3);
    }

    @Test
    void missedAndLateTicksTogether() {
        Trigger trigger = Trigger.CronTrigger.parse("*/2 * * * * *", ZoneId.of("UTC"));
        store.create(new Schedule("s-c", "default", "c", "fn", trigger.expression(), ZoneId.of("UTC"), null,
                CatchUp.DEFAULT, true, T0, trigger.nextAfter(T0), 0, 0, null, T0, T0));
        // down for a minute: ticks older than the tolerance fire once (the latest of them), later ones each
        clock.set(T0.plusSeconds(61));
        new Dispatcher(store, async, clock).runDue(clock.instant());

        assertThat(submitted).extracting(AsyncInvoker.Event::subject).containsExactly("2026-06-01T10:00:50Z",
                "2026-06-01T10:00:52Z", "2026-06-01T10:00:54Z", "2026-06-01T10:00:56Z", "2026-06-01T10:00:58Z",
                "2026-06-01T10:01:00Z");
        assertThat(store.get("default", "c").orElseThrow().skippedTicks()).isEqualTo(24);
    }

    @Test
    void missedTicksOutsideTheWindowAreSkippedAndRecorded() {
        Schedule a = store.create(rate("a", "rate(10 minutes)", new CatchUp.FireOnceWithin(Duration.ofMinutes(1))));
        // down until 5 minutes after the third tick: even the latest is older than the window
        clock.set(T0.plus(Duration.ofMinutes(35)));
        new Dispatcher(store, async, clock).runDue(clock.instant());
        Schedule after = store.get("default", "a").orElseThrow();

        assertThat(submitted).isEmpty();
        assertThat(after.skippedTicks()).isEqualTo(3);
        assertThat(after.firedTicks()).isZero();
        assertThat(after.nextDue()).isEqualTo(T0.plus(Duration.ofMinutes(40)));
        assertThat(store.ticks(a.id(), 10)).singleElement().satisfies(t -> {
            assertThat(t.outcome()).isEqualTo("skipped");
            assertThat(t.skipped()).isEqualTo(3);
        });
    }

    @Test
    void skipPolicyFiresNoMissedTick() {
        Schedule a = store.create(rate("a", "rate(1 minute)", new CatchUp.Skip()));
        clock.set(T0.plus(Duration.ofMinutes(3)).plusSeconds(30));
        Dispatcher dispatcher = new Dispatcher(store, async, clock);
        dispatcher.runDue(clock.instant());
        assertThat(submitted).isEmpty();
        assertThat(store.get("default", "a").orElseThrow().skippedTicks()).isEqualTo(3);

        // back on time: the next tick fires normally
        clock.set(T0.plus(Duration.ofMinutes(4)).plusMillis(5));
        dispatcher.runDue(clock.instant());
        assertThat(submitted).hasSize(1);
        assertThat(store.get("default", "a").orElseThrow().nextDue()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aTickClaimedBeforeAStopIsHandedOverAfterItWithTheSameKey() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        assertThat(store.claim(a, a.nextDue().plusSeconds(60), a.nextDue(), true, 0, T0)).isEqualTo(ScheduleStore.Claim.CLAIMED);
        // the node stopped here; the next one finds the claim
        new Dispatcher(new ScheduleStore(test.reopen()), async, clock).resendPending();
        store = new ScheduleStore(test.db());
        assertThat(submitted).singleElement().satisfies(e ->
                assertThat(e.idempotencyKey()).isEqualTo("schedule:s-a@" + a.nextDue().toEpochMilli()));
        assertThat(store.pending()).isEmpty();
        assertThat(store.ticks(a.id(), 1).getFirst().outcome()).isEqualTo("sent");
    }

    @Test
    void aRefusedHandoverIsRecordedNotRetried() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        refuse.set(ApiException.notFound("function fn does not exist"));
        clock.set(a.nextDue());
        new Dispatcher(store, async, clock).runDue(clock.instant());
        assertThat(store.pending()).isEmpty();
        assertThat(store.ticks(a.id(), 1).getFirst()).satisfies(t -> {
            assertThat(t.outcome()).isEqualTo("failed");
            assertThat(t.message()).contains("does not exist");
        });
    }

    @Test
    void aFailedHandoverStaysClaimedAndIsRetried() {
        Schedule a = store.create(rate("a", "rate(1 minute)", CatchUp.DEFAULT));
        refuse.set(new IllegalStateException("queue unavailable"));
        clock.set(a.nextDue());
        Dispatcher dispatcher = new Dispatcher(store, async, clock);
        assertThatThrownBy(() -> dispatcher.runDue(clock.instant())).hasMessageContaining("queue unavailable");
        assertThat(store.pending()).hasSize(1);
        refuse.set(null);
        dispatcher.resendPending();
        assertThat(submitted).hasSize(1);
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void oldTicksArePruned() {
        Schedule s = store.create(rate("a", "rate(1 minute)", new CatchUp.Skip()));
        for (int i = 0; i < ScheduleStore.TICKS_KEPT + 5; i++) {
            Instant tick = s.nextDue();
            assertThat(store.claim(s, tick.plusSeconds(60), tick, false, 1, tick)).isEqualTo(ScheduleStore.Claim.CLAIMED);
            s = store.get("default", "a").orElseThrow();
        }
        assertThat(store.ticks(s.id(), ScheduleStore.TICKS_KEPT + 10)).hasSize(ScheduleStore.TICKS_KEPT);
        assertThat(s.skippedTicks()).isEqualTo(ScheduleStore.TICKS_KEPT + 5);
    }
}
