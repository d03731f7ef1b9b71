package dev.cumulus.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.web.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the S3 event notification (event version 2.1) that Lambda hands to functions subscribed
 * to a bucket: {@code {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": ...,
 * "object": {"key", "size", "eTag", ...}}, ...}]}}, as bound by aws-lambda-java-events' S3Event.
 */
public final class S3EventNotifications {
    /** The region Cumulus reports where AWS would name one. */
    public static final String DEFAULT_REGION = "local";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private S3EventNotifications() {}

    /**
     * One object change. {@code size} and {@code eTag} are null for removals (S3 leaves them out);
     * {@code versionId}, {@code requestId} and {@code sourceIp} are optional.
     *
     * @param eventName S3's event type, e.g. {@code ObjectCreated:Put}, {@code ObjectRemoved:Delete}
     * @param key       the object key as stored (not encoded); it is URL-encoded in the event, as S3 does
     */
    public record ObjectEvent(String eventName, String bucket, String key, Long size, String eTag, Instant time,
            String versionId, String requestId, String sourceIp) {
        public ObjectEvent {
            if (eventName == null || !eventName.matches("[A-Za-z]+:[A-Za-z*]+")) {
                throw new IllegalArgumentException("eventName must look like ObjectCreated:Put, not " + eventName);
            }
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("bucket is required");
            }
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("key is required");
            }
            if (size != null && size < 0) {
                throw new IllegalArgumentException("size must not be negative: " + size);
            }
            if (time == null) {
                throw new IllegalArgumentException("time is required");
            }
        }

        /** An object written by a PUT. */
        public static ObjectEvent created(String bucket, String key, long size, String eTag, Instant time) {
            return new ObjectEvent("ObjectCreated:Put", bucket, key, size, eTag, time, null, null, null);
        }

        /** An object deleted. */
        public static ObjectEvent removed(String bucket, String key, Instant time) {
            return new ObjectEvent("ObjectRemoved:Delete", bucket, key, null, null, time, null, null, null);
        }
    }

    /** The event for a batch of changes, in the default region. */
    public static byte[] toEvent(List<ObjectEvent> events) {
        return toEvent(DEFAULT_REGION, events);
    }

    public static byte[] toEvent(String region, List<ObjectEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an S3 event has at least one record");
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (ObjectEvent e : events) {
            records.add(record(region, e));
        }
        return Json.write(root);
    }

    private static ObjectNode record(String region, ObjectEvent e) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("eventVersion", "2.1");
        r.put("eventSource", "aws:s3");
        r.put("awsRegion", region);
        r.put("eventTime", TIME.format(e.time()));
        r.put("eventName", e.eventName());
        r.putObject("userIdentity").put("principalId", "cumulus");
        r.putObject("requestParameters").put("sourceIPAddress", e.sourceIp() != null ? e.sourceIp() : "127.0.0.1");
        String requestId = e.requestId() != null ? e.requestId() : randomId();
        r.putObject("responseElements").put("x-amz-request-id", requestId).put("x-amz-id-2", requestId);
        ObjectNode s3 = r.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", "cumulus");
        ObjectNode bucket = s3.putObject("bucket");
        bucket.put("name", e.bucket());
        bucket.putObject("ownerIdentity").put("principalId", "cumulus");
        bucket.put("arn", "arn:aws:s3:::" + e.bucket());
        ObjectNode object = s3.putObject("object");
        object.put("key", encodeKey(e.key()));
        if (e.size() != null) {
            object.put("size", e.size());
        }
        if (e.eTag() != null) {
            object.put("eTag", unquote(e.eTag()));
        }
        if (e.versionId() != null) {
            object.put("versionId", e.versionId());
        }
        // S3's sequencer orders events for one key; the event time in microseconds, as hex, does too
        long micros = e.time().getEpochSecond() * 1_000_000 + e.time().getNano() / 1_000;
        object.put("sequencer", String.format(Locale.ROOT, "%016X", micros));
        return r;
    }

    /** As S3 encodes keys in notifications: form encoding per path segment, slashes kept. */
    static String encodeKey(String key) {
        StringBuilder sb = new StringBuilder(key.length() + 8);
        int start = 0;
        while (true) {
            int slash = key.indexOf('/', start);
            String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            sb.append(URLEncoder.encode(segment, StandardCharsets.UTF_8));
            if (slash < 0) {
                return sb.toString();
            }
            sb.append('/');
            start = slash + 1;
        }
    }

    /** S3 reports ETags without the quotes HTTP puts around them. */
    private static String unquote(String eTag) {
        return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"") ? eTag.substring(1, eTag.length() - 1) : eTag;
    }

    private static String randomId() {
        byte[] bytes = new byte[8];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().withUpperCase().formatHex(bytes);
    }
}
