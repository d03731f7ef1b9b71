package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-instance concurrency made visible, by {@code {"do": ...}}: {@code wait} blocks until a
 * {@code release} arrives (at most 30 s); {@code work} runs {@code ms} milliseconds; {@code max}
 * says how many {@code wait}/{@code work} invocations this instance ever ran at once;
 * {@code transport} names the frame socket the runtime was offered; {@code halt} kills the JVM.
 */
public class Gate implements RequestHandler<Map<String, Object>, String> {
    private static final CountDownLatch OPEN = new CountDownLatch(1);
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger MOST = new AtomicInteger();

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        String what = String.valueOf(input.get("do"));
        switch (what) {
            case "release" -> {
                OPEN.countDown();
                return "released";
            }
            case "max" -> {
                return Integer.toString(MOST.get());
            }
            case "transport" -> {
                return String.valueOf(System.getenv("CUMULUS_FRAME_SOCKET"));
            }
            case "halt" -> Runtime.getRuntime().halt(7);
            default -> {
                // wait and work below
            }
        }
        MOST.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
        try {
            if (what.equals("wait")) {
                return OPEN.await(30, TimeUnit.SECONDS) ? "opened" : "never opened";
            }
            Thread.sleep(((Number) input.getOrDefault("ms", 10)).longValue());
            return "worked";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            RUNNING.decrementAndGet();
        }
    }
}
