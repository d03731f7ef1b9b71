package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate's rules on a clock the test moves: turns, their end, arrival order, no starvation. */
class StartGateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final StartGate gate = new StartGate(2, Duration.ofSeconds(5), Duration.ofSeconds(20), now::get);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
        gate.recheck();
    }

    @Test
    void atMostItsTurnsAreHeldAndAClosedTurnLetsTheNextIn() {
        StartGate.Ticket a = gate.tryEnter();
        StartGate.Ticket b = gate.tryEnter();
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(gate.tryEnter()).as("a third start while two hold turns").isNull();

        a.close();
        a.close(); // closing again gives nothing back twice
        StartGate.Ticket c = gate.tryEnter();
        assertThat(c).isNotNull();
        assertThat(gate.tryEnter()).isNull();
        assertThat(gate.stats().held()).isEqualTo(2);
        assertThat(gate.stats().peakHeld()).isEqualTo(2);
    }

    @Test
    void aTurnEndsByItselfAfterTheTurnTimeSoAHungStartDoesNotHoldTheGate() {
        gate.tryEnter();
        gate.tryEnter();
        advance(Duration.ofMillis(4_999));
        assertThat(gate.tryEnter()).isNull();
        advance(Duration.ofMillis(1));
        assertThat(gate.tryEnter()).as("both turns are over").isNotNull();
        assertThat(gate.stats().expired()).isEqualTo(2);
    }

    @Test
    void aWaiterGetsTheTurnThatIsClosed() throws Exception {
        StartGate.Ticket a = gate.enter();
        gate.enter();
        Future<StartGate.Ticket> third = threads.submit(gate::enter);
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.stats().waiting() == 1);
        assertThat(third).isNotDone();

        a.close();
        assertThat(third.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(gate.stats().held()).isEqualTo(2);
        assertThat(gate.stats().overdue()).isZero();
    }

    @Test
    void waitersAreLetInInTheOrderTheyCame() throws Exception {
        StartGate.Ticket a = gate.enter();
        StartGate.Ticket b = gate.enter();
        Future<StartGate.Ticket> first = threads.submit(gate::enter);
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.stats().waiting() == 1);
        Future<StartGate.Ticket> second = threads.submit(gate::enter);
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.stats().waiting() == 2);

        a.close();
        first.get(10, TimeUnit.SECONDS);
        assertThat(gate.stats().waiting()).isEqualTo(1);
        assertThat(second).isNotDone();
        assertThat(gate.tryEnter()).as("a newcomer does not pass the queue").isNull();
        b.close();
        second.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStartThatWaitedTheLongestWaitGoesAheadWithoutATurn() throws Exception {
        StartGate patient = new StartGate(1, Duration.ofHours(1), Duration.ofSeconds(20), now::get);
        patient.enter();
        Future<StartGate.Ticket> waiter = threads.submit(patient::enter);
        await().atMost(Duration.ofSeconds(10)).until(() -> patient.stats().waiting() == 1);
        now.addAndGet(Duration.ofSeconds(19).toNanos());
        patient.recheck();
        assertThat(waiter).isNotDone();

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        patient.recheck();
        StartGate.Ticket ticket = waiter.get(10, TimeUnit.SECONDS);
        assertThat(patient.stats().overdue()).isEqualTo(1);
        assertThat(patient.stats().held()).as("the overdue start holds no turn").isEqualTo(1);
        ticket.close(); // harmless
        assertThat(patient.stats().held()).isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterLeavesTheQueue() throws Exception {
        gate.enter();
        gate.enter();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                gate.enter();
                outcome.complete(null);
            } catch (InterruptedException e) {
                outcome.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> gate.stats().waiting() == 1);
        waiter.interrupt();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(gate.stats().waiting()).isZero();
        assertThat(gate.stats().held()).isEqualTo(2);
    }

    @Test
    void twoStartsPerCore() {
        assertThat(StartGate.perCore(2).stats().turns()).isEqualTo(4);
        assertThatThrownBy(() -> new StartGate(0, Duration.ofSeconds(1), Duration.ofSeconds(1), now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
