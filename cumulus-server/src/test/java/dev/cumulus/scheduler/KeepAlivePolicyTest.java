package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.registry.FunctionConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepAlivePolicyTest {
    private final KeepAlivePolicy policy = new KeepAlivePolicy(Duration.ofMinutes(10));

    @Test
    void functionSettingWinsOverTheNodeDefault() {
        assertThat(policy.keepAlive(config(2))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.keepAlive(config(0))).isEqualTo(Duration.ZERO);
    }

    @Test
    void withoutASettingTheNodeDefaultApplies() {
        assertThat(policy.keepAlive(config(null))).isEqualTo(Duration.ofMinutes(10));
    }

    private static FunctionConfig config(Integer keepAlive) {
        return new FunctionConfig("f", "java25", "a.B", 256, 30, Map.of(), 10, 1, keepAlive, false);
    }
}
