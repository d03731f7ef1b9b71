package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Answers "met" only when {@code parties} invocations run in this instance at the same time:
 * proof of per-instance concurrency that no timing can fake.
 */
public class Rendezvous implements RequestHandler<Map<String, Object>, String> {
    private static CountDownLatch latch;

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        CountDownLatch mine;
        synchronized (Rendezvous.class) {
            if (latch == null || latch.getCount() == 0) {
                latch = new CountDownLatch(((Number) input.get("parties")).intValue());
            }
            mine = latch;
        }
        mine.countDown();
        try {
            return mine.await(10, TimeUnit.SECONDS) ? "met" : "alone";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
