package dev.cumulus.tests3sdk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Uses the node's S3 API the way a function written for Lambda would: {@code S3Client.builder()}
 * with path-style and nothing else, so credentials, region and endpoint come from the SDK's
 * default chains, which the node fills (ADR 0039).
 */
public class SdkStorage {

    /**
     * {@code {"bucket": b, "prefix": p}}: put, get, list under {@code p}, delete; then a put
     * outside {@code p}. Returns what each step saw, and the instance's credentials for the test
     * to try elsewhere. {@code {"bucket": b, "key": k, "accessKeyId"...}}: a get with the given
     * credentials instead. An S3 event: each object is written onto its own key again (a loop).
     */
    @SuppressWarnings("unchecked")
    public Map<String, Object> handle(Map<String, Object> event) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (event.get("Records") instanceof List<?> records) {
            // an S3 event: write each object onto its own key again, through the SDK (a loop)
            try (S3Client s3 = S3Client.builder().forcePathStyle(true).build()) {
                for (Object r : records) {
                    Map<String, Object> s3Part = (Map<String, Object>) ((Map<String, Object>) r).get("s3");
                    String name = (String) ((Map<String, Object>) s3Part.get("bucket")).get("name");
                    String key = java.net.URLDecoder.decode((String) ((Map<String, Object>) s3Part.get("object"))
                            .get("key"), java.nio.charset.StandardCharsets.UTF_8);
                    s3.putObject(b -> b.bucket(name).key(key), RequestBody.fromBytes(
                            s3.getObjectAsBytes(b -> b.bucket(name).key(key)).asByteArray()));
                    System.out.println("stored " + key);
                }
            }
            out.put("stored", records.size());
            return out;
        }
        String bucket = (String) event.get("bucket");
        if (event.containsKey("accessKeyId")) {
            try (S3Client s3 = S3Client.builder().forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                            (String) event.get("accessKeyId"), (String) event.get("secretAccessKey"),
                            (String) event.get("sessionToken")))).build()) {
                out.put("got", s3.getObjectAsBytes(b -> b.bucket(bucket).key((String) event.get("key"))).asUtf8String());
            } catch (S3Exception e) {
                out.put("error", e.awsErrorDetails().errorCode());
            }
            return out;
        }
        String prefix = (String) event.get("prefix");
        try (S3Client s3 = S3Client.builder().forcePathStyle(true).build()) {
            s3.putObject(b -> b.bucket(bucket).key(prefix + "a.txt").contentType("text/plain"),
                    RequestBody.fromString("written by the SDK"));
            s3.putObject(b -> b.bucket(bucket).key(prefix + "b.txt"), RequestBody.fromString("second"));
            out.put("got", s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "a.txt")).asUtf8String());
            List<String> keys = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(S3Object::key).toList();
            out.put("listed", keys);
            s3.deleteObject(b -> b.bucket(bucket).key(prefix + "b.txt"));
            out.put("afterDelete", s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(S3Object::key).toList());
            try {
                s3.putObject(b -> b.bucket(bucket).key("elsewhere.txt"), RequestBody.fromString("not allowed"));
                out.put("outside", "written");
            } catch (S3Exception e) {
                out.put("outside", e.awsErrorDetails().errorCode());
            }
        }
        out.put("accessKeyId", System.getenv("AWS_ACCESS_KEY_ID"));
        out.put("secretAccessKey", System.getenv("AWS_SECRET_ACCESS_KEY"));
        out.put("sessionToken", System.getenv("AWS_SESSION_TOKEN"));
        out.put("endpoint", System.getenv("AWS_ENDPOINT_URL_S3"));
        return out;
    }
}
