package dev.cumulus.sources;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batch a function gets reads as Lambda's SQSEvent with the official serializer. */
class SqsBatchTest {
    private static final SourceMapping MAPPING = new SourceMapping("default", "sensors", SourceType.MQTT, "mqtt://127.0.0.1:1883",
            "sensors/+/temp", null, null, null, "alert", 10, 0, true, 3, null, true, Instant.EPOCH);

    @Test
    void deserialisesIntoSqsEvent() {
        List<Delivery> batch = List.of(
                new Delivery("m-1", "sensors/a/temp", "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8),
                        Map.of("topic", "sensors/a/temp", "qos", "1"), Map.of("unit", "C"), 1_700_000_000_000L, null),
                new Delivery("m-2", "sensors/b/temp", new byte[] {(byte) 0xff, 0x00, 0x10}, Map.of("topic", "sensors/b/temp"),
                        Map.of(), 1_700_000_000_001L, null));
        String json = new String(SqsBatch.json(MAPPING, batch), StandardCharsets.UTF_8);

        SQSEvent event = LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader()).fromJson(json);

        assertThat(event.getRecords()).hasSize(2);
        SQSEvent.SQSMessage first = event.getRecords().getFirst();
        assertThat(first.getMessageId()).isEqualTo("m-1");
        assertThat(first.getBody()).isEqualTo("{\"t\":21.5}");
        assertThat(first.getEventSource()).isEqualTo("cumulus:mqtt");
        assertThat(first.getEventSourceArn()).isEqualTo("cumulus:mqtt:sensors");
        assertThat(first.getAttributes()).containsEntry("topic", "sensors/a/temp")
                .containsEntry("ApproximateReceiveCount", "1")
                .containsEntry("ApproximateFirstReceiveTimestamp", "1700000000000");
        assertThat(first.getMessageAttributes().get("unit").getStringValue()).isEqualTo("C");
        assertThat(first.getMessageAttributes().get("unit").getDataType()).isEqualTo("String");
        assertThat(first.getMd5OfBody()).isEqualTo(md5("{\"t\":21.5}"));

        SQSEvent.SQSMessage binary = event.getRecords().get(1);
        assertThat(binary.getAttributes()).containsEntry("bodyEncoding", "base64");
        assertThat(Base64.getDecoder().decode(binary.getBody())).containsExactly(0xff, 0x00, 0x10);
    }

    private static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
