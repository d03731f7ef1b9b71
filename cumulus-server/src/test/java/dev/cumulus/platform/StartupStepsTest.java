package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupStepsTest {
    private final StartupSteps steps = new StartupSteps();

    /** Records its closing into a shared list, so the order of closes can be checked. */
    private record Part(String name, List<String> closed) implements AutoCloseable {
        @Override
        public void close() {
            closed.add(name);
        }
    }

    @Test
    void stepsRunSideBySideAndEachResultComesOutOfItsOwnAwait() throws IOException {
        CountDownLatch secondStarted = new CountDownLatch(1);
        // the first step can only finish once the second has started: run one after the other, they would hang
        var first = steps.start("first", () -> secondStarted.await(30, TimeUnit.SECONDS) ? "first done" : "no overlap");
        var second = steps.start("second", () -> {
            secondStarted.countDown();
            return 2;
        });

        assertThat(steps.await(first)).isEqualTo("first done");
        assertThat(steps.await(second)).isEqualTo(2);
    }

    @Test
    void aFailureIsThrownUnchangedEvenWhileAnotherStepIsStillRunning() {
        CountDownLatch release = new CountDownLatch(1);
        var slow = steps.start("sandbox", () -> {
            release.await(); // finishes only after the failure has been seen
            return "slow";
        });
        IOException failure = new IOException("database unreachable: connection refused");
        steps.start("database", () -> {
            throw failure;
        });
        try {
            assertThatThrownBy(() -> steps.await(slow)).isSameAs(failure);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aRuntimeFailureKeepsItsTypeAndMessage() {
        var bad = steps.start("sandbox", () -> {
            throw new IllegalArgumentException("unknown sandbox mode 'x'");
        });
        assertThatThrownBy(() -> steps.await(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown sandbox mode 'x'");
    }

    @Test
    void abandonClosesWhatNobodyTookInReverseOrderAndLeavesTakenResultsToTheirOwner() throws IOException {
        List<String> closed = new CopyOnWriteArrayList<>();
        var taken = steps.start("taken", () -> new Part("taken", closed));
        var a = steps.start("a", () -> new Part("a", closed));
        steps.start("failed", () -> {
            throw new IOException("no");
        });
        var b = steps.start("b", () -> new Part("b", closed));
        steps.start("not closeable", () -> "text");
        Part owned = steps.await(taken);

        steps.abandon();

        assertThat(closed).containsExactly("b", "a");
        assertThat(owned.name()).isEqualTo("taken");
        assertThat(a.toString()).isEqualTo("a");
        assertThat(b.toString()).isEqualTo("b");
    }

    @Test
    void abandonWaitsForStepsStillRunning() throws Exception {
        List<String> closed = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        steps.start("late", () -> {
            started.countDown();
            release.await();
            return new Part("late", closed);
        });
        started.await();
        Thread abandoning = Thread.ofVirtual().start(steps::abandon);
        assertThat(closed).isEmpty();
        release.countDown();
        abandoning.join();

        assertThat(closed).containsExactly("late");
    }
}
