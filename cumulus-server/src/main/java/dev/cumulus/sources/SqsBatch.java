package dev.cumulus.sources;

import dev.cumulus.web.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch as the function sees it: Lambda's SQS event ({@code {"Records":[...]}}), so handlers
 * written for SQS (and {@code SQSEvent} from aws-lambda-java-events) read it unchanged. A body
 * that is not UTF-8 travels base64-encoded, flagged by the attribute {@code bodyEncoding=base64}.
 */
final class SqsBatch {
    private SqsBatch() {}

    static byte[] json(SourceMapping mapping, List<Delivery> batch) {
        return Json.write(Map.of("Records", records(mapping, batch)));
    }

    static List<Map<String, Object>> records(SourceMapping mapping, List<Delivery> batch) {
        List<Map<String, Object>> records = new ArrayList<>(batch.size());
        for (Delivery delivery : batch) {
            Map<String, String> attributes = new LinkedHashMap<>(delivery.attributes());
            String body = utf8(delivery.body());
            if (body == null) {
                body = Base64.getEncoder().encodeToString(delivery.body());
                attributes.put("bodyEncoding", "base64");
            }
            attributes.putIfAbsent("ApproximateReceiveCount", "1");
            attributes.put("ApproximateFirstReceiveTimestamp", Long.toString(delivery.receivedAtMs()));
            Map<String, Object> messageAttributes = new LinkedHashMap<>();
            delivery.headers().forEach((name, value) -> messageAttributes.put(name,
                    Map.of("stringValue", value, "stringListValues", List.of(), "binaryListValues", List.of(),
                            "dataType", "String")));
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", delivery.messageId());
            record.put("receiptHandle", delivery.messageId());
            record.put("body", body);
            record.put("attributes", attributes);
            record.put("messageAttributes", messageAttributes);
            record.put("md5OfBody", md5(body));
            record.put("eventSource", mapping.type().eventSource());
            record.put("eventSourceARN", mapping.arn());
            record.put("awsRegion", "local");
            records.add(record);
        }
        return records;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
