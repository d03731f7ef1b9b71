package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotasTest {
    private final Quotas quotas = new Quotas(project -> project.equals("small")
            ? new Quotas.Limits().functions(2).concurrentInstances(1).codeBytes(1000).invocationsPerSecond(3)
            : new Quotas.Limits());

    @Test
    void theInvocationRateIsATokenBucketPerProject() {
        // the burst is 3; tokens come back one per third of a second, so a quick loop meets a refusal
        ApiException refused = null;
        int admitted = 0;
        for (int i = 0; i < 50 && refused == null; i++) {
            try {
                quotas.admitInvocation("small");
                admitted++;
            } catch (ApiException e) {
                refused = e;
            }
        }
        assertThat(admitted).isGreaterThanOrEqualTo(3);
        assertThat(refused).isNotNull();
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.code()).isEqualTo("TooManyRequests");
        assertThat((Long) refused.details().get("retryAfterSeconds")).isPositive();
        for (int i = 0; i < 1000; i++) {
            quotas.admitInvocation("big"); // unlimited, and not charged to "small"
        }
    }

    @Test
    void concurrentInstancesAreTheSchedulersToCount() {
        assertThat(quotas.maxInstances("small")).isEqualTo(1);
        assertThat(quotas.maxInstances("big")).isEqualTo(Quotas.Limits.UNLIMITED);
    }

    @Test
    void countQuotasAre403() {
        quotas.checkFunctions("small", 1);
        assertThatThrownBy(() -> quotas.checkFunctions("small", 2))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("QuotaExceeded");
                    assertThat(e.details()).isEqualTo(Map.of("quota", "functions", "limit", 2L));
                });
        quotas.checkCodeBytes("small", 500, 500);
        assertThatThrownBy(() -> quotas.checkCodeBytes("small", 500, 501))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        quotas.checkCodeBytes("big", Long.MAX_VALUE - 1, 1);
        quotas.checkFunctions("big", 1_000_000);
    }
}
