package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProjectInstancesTest {
    final Map<String, Long> limits = new HashMap<>(Map.of("small", 2L));
    final ProjectInstances instances =
            new ProjectInstances(p -> limits.getOrDefault(p, ProjectInstances.UNLIMITED));

    @Test
    void aProjectGetsUpToItsLimitAndAReleaseMakesRoom() {
        assertThat(instances.tryAcquire("small")).isTrue();
        assertThat(instances.tryAcquire("small")).isTrue();
        assertThat(instances.tryAcquire("small")).isFalse();
        assertThat(instances.count("small")).isEqualTo(2);
        instances.release("small");
        assertThat(instances.tryAcquire("small")).isTrue();
        assertThat(instances.tryAcquire("small")).isFalse();
    }

    @Test
    void projectsAreCountedApartAndUnlimitedIsUnlimited() {
        assertThat(instances.tryAcquire("small")).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(instances.tryAcquire("big")).isTrue();
        }
        assertThat(instances.count("small")).isEqualTo(1);
        assertThat(instances.count("big")).isEqualTo(1000);
    }

    @Test
    void aLoweredLimitRefusesNewInstancesUntilTheCountIsBelowIt() {
        instances.tryAcquire("small");
        instances.tryAcquire("small");
        limits.put("small", 1L);
        instances.release("small");
        assertThat(instances.tryAcquire("small")).isFalse();
        instances.release("small");
        assertThat(instances.tryAcquire("small")).isTrue();
    }

    @Test
    void aReleaseWithoutAnInstanceIsABugAndChangesNothing() {
        assertThatThrownBy(() -> instances.release("small")).isInstanceOf(IllegalStateException.class);
        instances.tryAcquire("small");
        instances.release("small");
        assertThatThrownBy(() -> instances.release("small")).isInstanceOf(IllegalStateException.class);
        assertThat(instances.count("small")).isZero();
    }

    @Test
    void racingReservationsNeverPassTheLimit() throws Exception {
        limits.put("race", 5L);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int t = 0; t < 8; t++) {
                threads.execute(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 100; i++) {
                        if (instances.tryAcquire("race")) {
                            granted.incrementAndGet();
                        }
                    }
                });
            }
            go.countDown();
        }
        assertThat(granted.get()).isEqualTo(5);
        assertThat(instances.count("race")).isEqualTo(5);
    }
}
