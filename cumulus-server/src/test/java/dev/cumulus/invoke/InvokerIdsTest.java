package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InvokerIdsTest {
    @Test
    void requestIdsAreVersion4UuidsAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Invoker.newRequestId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void traceIdsHaveTheXRayShape() {
        for (int i = 0; i < 1_000; i++) {
            assertThat(Invoker.traceId()).matches("Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0");
        }
    }
}
