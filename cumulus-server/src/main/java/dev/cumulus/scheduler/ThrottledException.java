package dev.cumulus.scheduler;

import java.time.Duration;

/** The function is at its instance limit and its wait queue is full or waited too long: a 429. */
public final class ThrottledException extends RuntimeException {
    private final Duration retryAfter;

    public ThrottledException(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
