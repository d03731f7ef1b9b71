package dev.cumulus.users;

import dev.cumulus.errors.ApiException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What keeps sign-up, login and reset from being hammered: token buckets per client address and
 * per account (bucket4j), and a lockout per account after repeated wrong passwords whose length
 * doubles with each further failure. Accounts are keyed by the address as typed (lower-cased),
 * whether or not a user has it, so limits and lockouts say nothing about which addresses exist.
 * Kept in memory per node (bounded, least recently used first out): a restart forgets them.
 */
final class AbuseLimits {
    /**
     * The limits.
     *
     * @param perAddressPerMinute requests a client address may make per minute, per kind (signup, login, reset)
     * @param perAccountPerMinute login and reset requests per minute for one email address
     * @param freeFailures wrong passwords in a row before the account locks
     * @param firstLockout the first lockout; each further failure doubles it, up to maxLockout
     */
    record Limits(int perAddressPerMinute, int perAccountPerMinute, int freeFailures, Duration firstLockout,
            Duration maxLockout) {
        static Limits defaults() {
            return new Limits(60, 10, 5, Duration.ofSeconds(30), Duration.ofMinutes(30));
        }
    }

    private static final int MAX_KEYS = 100_000;

    private final Limits limits;
    private final Clock clock;
    private final Map<String, Bucket> buckets = lru();
    private final Map<String, Lockout> lockouts = lru();

    private static final class Lockout {
        int failures;
        Instant until = Instant.EPOCH;
    }

    AbuseLimits(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    private static <V> Map<String, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_KEYS;
            }
        });
    }

    /** @throws ApiException 429 when the client address made too many {@code kind} requests */
    void perAddress(String kind, String address) {
        take(kind + "@" + address, limits.perAddressPerMinute(), "too many " + kind + " requests from your address");
    }

    /** @throws ApiException 429 when the account had too many {@code kind} requests */
    void perAccount(String kind, String project, String email) {
        take(kind + ":" + project + ":" + email, limits.perAccountPerMinute(), "too many " + kind
                + " requests for this account");
    }

    private void take(String key, int perMinute, String message) {
        Bucket bucket = buckets.computeIfAbsent(key, k -> Bucket.builder().addLimit(Bandwidth.builder()
                .capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build()).build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw tooMany(message, Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
    }

    /** @throws ApiException 429 while the account is locked */
    void requireUnlocked(String project, String email) {
        Lockout lockout = lockouts.get(project + ":" + email);
        if (lockout == null) {
            return;
        }
        Instant until;
        synchronized (lockout) {
            until = lockout.until;
        }
        Instant now = clock.instant();
        if (until.isAfter(now)) {
            throw tooMany("too many failed logins for this account", Duration.between(now, until));
        }
    }

    /** A wrong password: after the free ones, locks for firstLockout doubled by each further failure. */
    void failed(String project, String email) {
        Lockout lockout = lockouts.computeIfAbsent(project + ":" + email, k -> new Lockout());
        synchronized (lockout) {
            lockout.failures++;
            int over = lockout.failures - limits.freeFailures();
            if (over >= 0) {
                long millis = Math.min(limits.maxLockout().toMillis(),
                        limits.firstLockout().toMillis() << Math.min(over, 20));
                lockout.until = clock.instant().plusMillis(millis);
            }
        }
    }

    void succeeded(String project, String email) {
        lockouts.remove(project + ":" + email);
    }

    static ApiException tooMany(String message, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new ApiException(429, "TooManyRequests", message + "; try again in " + seconds + " s",
                Map.of("retryAfterSeconds", seconds));
    }
}
