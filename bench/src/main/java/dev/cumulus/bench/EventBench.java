package dev.cumulus.bench;

import dev.cumulus.invoke.FunctionUrlEvents;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The node's part of a function-URL invocation that does not touch a socket: writing the event
 * for wrk's request, on a new virtual thread per call as the node does. Prints CPU nanoseconds and
 * bytes allocated per event, so two builds compare without the noise of a shared machine's
 * network runs (run each with the other build's jars first on the class path:
 * {@code java -cp "cumulus-bench.jar:DIST/lib/*" dev.cumulus.bench.EventBench}).
 */
public final class EventBench {
    private EventBench() {}

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        FunctionUrlEvents.HttpRequest request = new FunctionUrlEvents.HttpRequest("POST", "/", null,
                List.of(Map.entry("Host", "127.0.0.1:8080"), Map.entry("Content-Type", "application/json"),
                        Map.entry("Content-Length", "16")),
                "{\"name\":\"bench\"}".getBytes(StandardCharsets.UTF_8), "127.0.0.1", "127.0.0.1:8080", "HTTP/1.1");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round <= rounds; round++) {
            long bytes = threads.getTotalThreadAllocatedBytes();
            long cpu = os.getProcessCpuTime();
            CountDownLatch done = new CountDownLatch(calls);
            try (var perCall = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < calls; i++) {
                    perCall.execute(() -> {
                        FunctionUrlEvents.toEvent(request, "hello", "c0ffee00-0000-4000-8000-000000000000", Instant.now());
                        done.countDown();
                    });
                }
                done.await();
            }
            long cpuPerCall = (os.getProcessCpuTime() - cpu) / calls;
            long bytesPerCall = (threads.getTotalThreadAllocatedBytes() - bytes) / calls;
            // round 0 warms the JIT up and is not reported
            if (round > 0) {
                System.out.printf("round %d: %d ns CPU, %d bytes allocated per event (incl. its virtual thread)%n",
                        round, cpuPerCall, bytesPerCall);
            }
        }
    }
}
