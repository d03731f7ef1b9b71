package dev.cumulus.async;

import java.time.Instant;

/**
 * One try of an event.
 *
 * @param outcome   succeeded, failed, throttled, undeliverable, expired or interrupted
 * @param version   the function version that ran, null when none did
 * @param errorType null unless the try failed
 */
record Attempt(int tryNumber, Instant startedAt, Instant endedAt, String outcome, String version, String errorType,
        String errorMessage) {}
