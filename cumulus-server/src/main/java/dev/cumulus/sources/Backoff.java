package dev.cumulus.sources;

import java.time.Duration;

/** Doubling waits for the n-th retry in a row (n from 1): first, twice that, and so on, capped. */
final class Backoff {
    private Backoff() {}

    static Duration doubling(Duration first, Duration max, long n) {
        long ms = first.toMillis() << Math.min(n - 1, 20);
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }
}
