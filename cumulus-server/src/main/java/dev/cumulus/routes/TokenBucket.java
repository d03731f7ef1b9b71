package dev.cumulus.routes;

import java.util.function.LongSupplier;

/** A token bucket: refills at {@code rate} tokens per second up to {@code burst}; one request takes one token. */
final class TokenBucket {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long refilledAt;

    TokenBucket(double rate, int burst, LongSupplier nanoTime) {
        this.perNano = rate / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** @return 0 when a token was taken, else the nanoseconds until one will be there */
    synchronized long tryTake() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
