package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void remembersTheLastIdsAndForgetsTheOldestFirst() {
        RecentIds ids = new RecentIds(3);
        ids.add("a");
        ids.add("b");
        ids.add("c");
        assertThat(ids.contains("a")).isTrue();
        ids.add("d");
        assertThat(ids.contains("a")).as("the oldest is forgotten").isFalse();
        assertThat(ids.contains("b")).isTrue();
        assertThat(ids.contains("d")).isTrue();
        assertThat(ids.contains("x")).isFalse();
    }

    @Test
    void concurrentAddersLeaveTheRingFullOfTheirIds() throws InterruptedException {
        RecentIds ids = new RecentIds(64);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    ids.add(thread + "-" + i);
                }
            }));
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        int found = 0;
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 1000; i++) {
                if (ids.contains(t + "-" + i)) found++;
            }
        }
        assertThat(found).isEqualTo(64);
    }
}
