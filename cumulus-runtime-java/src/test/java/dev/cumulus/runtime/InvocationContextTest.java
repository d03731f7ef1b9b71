package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.function.CloudEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InvocationContextTest {

    private static InvocationContext withCloudEvent(String header) {
        return new InvocationContext("req-1", "f", "$LATEST", 256, Long.MAX_VALUE, message -> {}, header);
    }

    @Test
    void cloudEventAttributesComeFromTheHeader() {
        InvocationContext context = withCloudEvent("""
                {"specversion":"1.0","id":"e-1","source":"/v1/topics/orders","type":"com.example.order.created",\
                "subject":"orders/42","time":"2026-11-27T04:00:00.123Z","datacontenttype":"application/json"}""");

        assertThat(context.cloudEvent()).contains(new CloudEvent("e-1", "/v1/topics/orders", "1.0",
                "com.example.order.created", "orders/42", Instant.parse("2026-11-27T04:00:00.123Z"), "application/json"));
    }

    @Test
    void theTokenIsInTheContextButNotInItsText() {
        InvocationContext context = new InvocationContext("req-1", "f", "$LATEST", 256, Long.MAX_VALUE, message -> {},
                null, null, null, null, null, null, null, "eyJ.secret.sig");

        assertThat(context.token()).contains("eyJ.secret.sig");
        assertThat(context.toString()).contains("req-1").doesNotContain("secret");
        assertThat(withCloudEvent(null).token()).isEmpty();
    }

    @Test
    void aSubjectIsOptional() {
        assertThat(withCloudEvent("{\"id\":\"e-2\",\"source\":\"s\",\"type\":\"t\",\"specversion\":\"1.0\"}")
                .cloudEvent().orElseThrow().subject()).isNull();
    }

    @Test
    void noHeaderOrAGarbledOneMeansNoCloudEvent() {
        assertThat(withCloudEvent(null).cloudEvent()).isEmpty();
        assertThat(withCloudEvent("not json").cloudEvent()).isEmpty();
        assertThat(withCloudEvent("[1]").cloudEvent()).isEmpty();
        assertThat(withCloudEvent("{\"id\":\"x\",\"time\":\"yesterday\"}").cloudEvent()).isEmpty();
    }
}
