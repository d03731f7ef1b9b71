package dev.cumulus.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The S3 notification as Lambda's own serialiser binds it into aws-lambda-java-events' S3Event. */
class S3EventNotificationsTest {
    private static final Instant TIME = Instant.parse("2026-11-27T10:15:30.123456Z");

    private static S3Event asLambdaWouldBindIt(byte[] json) {
        return LambdaEventSerializers.serializerFor(S3Event.class, S3EventNotificationsTest.class.getClassLoader())
                .fromJson(new ByteArrayInputStream(json));
    }

    @Test
    void createdObjectBindsToS3Event() {
        byte[] json = S3EventNotifications.toEvent("eu-west-1", List.of(new S3EventNotifications.ObjectEvent(
                "ObjectCreated:Put", "photos", "holiday/cat photo (1)+ü.jpg", 3_221_225_472L, "\"0123abcd\"", TIME,
                "v-7", "REQ123", "10.1.2.3")));
        S3Event event = asLambdaWouldBindIt(json);

        assertThat(event.getRecords()).hasSize(1);
        S3EventNotificationRecord r = event.getRecords().getFirst();
        assertThat(r.getEventName()).isEqualTo("ObjectCreated:Put");
        assertThat(r.getEventSource()).isEqualTo("aws:s3");
        assertThat(r.getEventVersion()).isEqualTo("2.1");
        assertThat(r.getAwsRegion()).isEqualTo("eu-west-1");
        assertThat(r.getEventTime().getMillis()).isEqualTo(TIME.toEpochMilli());
        assertThat(r.getS3().getBucket().getName()).isEqualTo("photos");
        assertThat(r.getS3().getBucket().getArn()).isEqualTo("arn:aws:s3:::photos");
        assertThat(r.getS3().getObject().getUrlDecodedKey()).isEqualTo("holiday/cat photo (1)+ü.jpg");
        assertThat(r.getS3().getObject().getKey()).isEqualTo("holiday/cat+photo+%281%29%2B%C3%BC.jpg");
        assertThat(r.getS3().getObject().getSizeAsLong()).isEqualTo(3_221_225_472L);
        assertThat(r.getS3().getObject().geteTag()).isEqualTo("0123abcd");
        assertThat(r.getS3().getObject().getVersionId()).isEqualTo("v-7");
        assertThat(r.getS3().getObject().getSequencer()).hasSize(16);
        assertThat(r.getRequestParameters().getSourceIPAddress()).isEqualTo("10.1.2.3");
        assertThat(r.getResponseElements().getxAmzRequestId()).isEqualTo("REQ123");
        assertThat(r.getUserIdentity().getPrincipalId()).isNotBlank();
    }

    @Test
    void removalsCarryNoSizeOrETagAndBatchesKeepTheirOrder() throws Exception {
        byte[] json = S3EventNotifications.toEvent(List.of(
                S3EventNotifications.ObjectEvent.created("b", "a.txt", 5, "e1", TIME),
                S3EventNotifications.ObjectEvent.removed("b", "a.txt", TIME.plusSeconds(1))));
        var removedJson = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).at("/Records/1/s3/object");
        assertThat(removedJson.has("size")).isFalse();
        assertThat(removedJson.has("eTag")).isFalse();
        S3Event event = asLambdaWouldBindIt(json);

        assertThat(event.getRecords()).extracting(S3EventNotificationRecord::getEventName)
                .containsExactly("ObjectCreated:Put", "ObjectRemoved:Delete");
        var removed = event.getRecords().get(1).getS3().getObject();
        assertThat(removed.getSizeAsLong()).isZero(); // what Lambda's serialiser makes of an absent size
        assertThat(removed.geteTag()).isEmpty(); // and of an absent eTag
        assertThat(event.getRecords().get(1).getAwsRegion()).isEqualTo(S3EventNotifications.DEFAULT_REGION);
        // the sequencer orders the two changes of the one key
        assertThat(removed.getSequencer()).isGreaterThan(event.getRecords().get(0).getS3().getObject().getSequencer());
    }

    @Test
    void refusesWhatS3WouldNeverSend() {
        assertThatThrownBy(() -> S3EventNotifications.ObjectEvent.created(" ", "k", 1, "e", TIME))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bucket");
        assertThatThrownBy(() -> S3EventNotifications.ObjectEvent.created("b", "", 1, "e", TIME))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> S3EventNotifications.ObjectEvent.created("b", "k", -1, "e", TIME))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> new S3EventNotifications.ObjectEvent("Put", "b", "k", 1L, "e", TIME, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eventName");
        assertThatThrownBy(() -> S3EventNotifications.toEvent(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }
}
