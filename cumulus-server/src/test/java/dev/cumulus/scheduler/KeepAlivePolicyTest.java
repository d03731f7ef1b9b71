package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.registry.FunctionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepAlivePolicyTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
    private final FixedKeepAlive policy = new FixedKeepAlive(Duration.ofMinutes(10));

    @Test
    void functionSettingWinsOverTheNodeDefault() {
        assertThat(policy.keepAlive(config(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.keepAlive(config(0))).isEqualTo(Duration.ZERO);
        assertThat(policy.idle(config(2), T)).isEqualTo(KeepAlivePolicy.Plan.keepUntil(T.plusSeconds(2)));
    }

    @Test
    void withoutASettingTheNodeDefaultApplies() {
        assertThat(policy.keepAlive(config(null))).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.idle(config(null), T).prewarms()).isFalse();
    }

    static FunctionConfig config(Integer keepAlive) {
        return new FunctionConfig("f", "java25", "a.B", 256, 30, Map.of(), 10, 1, keepAlive, false);
    }
}
