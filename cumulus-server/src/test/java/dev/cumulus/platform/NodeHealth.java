package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A healthy function's warm latency and the node's heap before an attack. Afterwards the
 * function must still answer within a generous factor of that latency (the host is shared with
 * other builds) and the heap, after a collection, must not have grown by more than
 * {@link #HEAP_SLACK_BYTES}: what the attack suites check after every attack.
 */
record NodeHealth(TestNode node, String function, long medianNanos, long heapBytes) {
    static final long HEAP_SLACK_BYTES = 128L << 20;
    static final int LATENCY_FACTOR = 10;
    static final Duration LATENCY_FLOOR = Duration.ofMillis(250);

    /** Measures now; {@code function} must be a deployed {@code dev.cumulus.testfn.Hello}. */
    static NodeHealth measure(TestNode node, String function) {
        healthyCall(node, function); // warm
        return new NodeHealth(node, function, medianNanos(node, function), usedHeapAfterGc());
    }

    void assertUnharmed() {
        long after = medianNanos(node, function);
        assertThat(Duration.ofNanos(after)).as("%s's median latency, %d ms before the attack", function,
                        Duration.ofNanos(medianNanos).toMillis())
                .isLessThan(Duration.ofNanos(medianNanos * LATENCY_FACTOR).plus(LATENCY_FLOOR));
        assertThat(node.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        assertThat(usedHeapAfterGc()).isLessThan(heapBytes + HEAP_SLACK_BYTES);
    }

    private static long medianNanos(TestNode node, String function) {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            healthyCall(node, function);
            nanos.add(System.nanoTime() - start);
        }
        return nanos.stream().sorted().toList().get(nanos.size() / 2);
    }

    private static void healthyCall(TestNode node, String function) {
        HttpResponse<String> ok = node.invoke(function, Map.of("name", "still here"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(TestNode.json(ok).get("greeting").asText()).isEqualTo("Hello, still here!");
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
