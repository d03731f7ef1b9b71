package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uses the node's storage as its execution role ({@code Context.storage()}). For an S3 event it
 * copies each object to {@code $TARGET_PREFIX + key} in the same bucket (with an empty prefix it
 * writes onto the key that triggered it: a loop) and prints {@code stored KEY}. With
 * {@code {"bucket": B, "read": KEY}} it answers {@code {"data": ...}} or {@code {"error": CODE}}.
 */
public class StorageWriter implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (input.get("Records") instanceof List<?> records) {
            String prefix = System.getenv().getOrDefault("TARGET_PREFIX", "copies/");
            for (Object r : records) {
                Map<String, Object> s3 = (Map<String, Object>) ((Map<String, Object>) r).get("s3");
                String bucket = (String) ((Map<String, Object>) s3.get("bucket")).get("name");
                String key = URLDecoder.decode((String) ((Map<String, Object>) s3.get("object")).get("key"),
                        StandardCharsets.UTF_8);
                byte[] data = context.storage().get(bucket, key);
                context.storage().put(bucket, prefix + key, data, "text/plain");
                System.out.println("stored " + prefix + key);
            }
            out.put("stored", records.size());
            return out;
        }
        try {
            byte[] data = context.storage().get((String) input.get("bucket"), (String) input.get("read"));
            out.put("data", new String(data, StandardCharsets.UTF_8));
            out.put("keys", context.storage().list((String) input.get("bucket"), "uploads/"));
        } catch (ServiceException e) {
            out.put("error", e.errorType());
            out.put("status", e.status());
        }
        return out;
    }
}
