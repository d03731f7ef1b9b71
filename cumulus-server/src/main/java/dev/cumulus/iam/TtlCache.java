package dev.cumulus.iam;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What the guard read from the Store for one credential, kept for {@link #TTL}. The guard runs
 * before every request; without this each request would read keys, users and roles again. A
 * change made on this node forgets its entry at once; one made on another node of a cluster
 * (a revoked key, a role's new policy) takes effect here within {@link #TTL}, the same bound as
 * {@link dev.cumulus.auth.AccessKeys}. Absence is cached too, so unknown tokens cannot make every
 * request a database read.
 */
final class TtlCache<K, V> {
    static final Duration TTL = Duration.ofSeconds(10);
    private static final int MAX_ENTRIES = 10_000;

    private record Entry<V>(Optional<V> value, Instant until) {}

    private final Clock clock;
    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();

    TtlCache(Clock clock) {
        this.clock = clock;
    }

    Optional<V> get(K key, Function<K, Optional<V>> load) {
        Instant now = clock.instant();
        Entry<V> entry = entries.get(key);
        if (entry != null && now.isBefore(entry.until())) {
            return entry.value();
        }
        Optional<V> value = load.apply(key);
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear(); // a flood of distinct tokens: start over rather than grow without bound
        }
        entries.put(key, new Entry<>(value, now.plus(TTL)));
        return value;
    }

    void forget(K key) {
        entries.remove(key);
    }

    void forgetAll() {
        entries.clear();
    }
}
