package dev.cumulus.web;

import java.time.Duration;

/**
 * How long a request body may take to arrive: a sender may fall at most {@code grace} behind one
 * that sends at {@code minBytesPerSecond} from the moment the handler starts reading. A client
 * that trickles a few bytes now and then would otherwise hold a handler, its connection and a
 * body buffer for as long as it likes; a slow but honest link (a few hundred kbit/s) is never
 * cut.
 */
public record BodyDeadline(Duration grace, long minBytesPerSecond) {
    /** 10 s to start, then 32 KiB/s on average: 6 MB may take up to about three minutes. */
    public static final BodyDeadline DEFAULT = new BodyDeadline(Duration.ofSeconds(10), 32 * 1024);

    public BodyDeadline {
        if (grace.isNegative() || minBytesPerSecond <= 0) {
            throw new IllegalArgumentException("a body deadline needs a grace >= 0 and a positive rate");
        }
    }

    /**
     * Nanoseconds after the start of the read by which the byte after the first {@code received}
     * must have arrived.
     */
    public long nextByteDueNanos(long received) {
        // bodies stay far below 2^33 bytes, so the product cannot overflow
        return grace.toNanos() + (received + 1) * 1_000_000_000L / minBytesPerSecond;
    }

    /** What a client is told when its body did not arrive in time. */
    public String describe() {
        return "request bodies must start within " + grace.toSeconds() + " s and then arrive at "
                + minBytesPerSecond / 1024 + " KiB/s or faster";
    }
}
