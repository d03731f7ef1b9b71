package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's AWS CLI v2 against the node's S3 API with keys from {@code POST /v1/keys}: {@code mb},
 * {@code cp} both ways (a 200 MB file goes multipart by itself, and comes back in ranged parts),
 * {@code ls} with prefixes, {@code presign} then plain {@code curl}, {@code rm}, {@code rb}, and
 * {@code s3api} head-object, a range get-object and copy-object.
 */
class S3CliTest {
    static final String AWS = "/usr/bin/aws";

    @TempDir
    static Path dir;

    static TestNode node;
    static Map<String, String> credentials;

    record Run(int exitCode, String stdout, String stderr) {
        JsonNode json() throws IOException {
            return TestNode.JSON.readTree(stdout);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(0));
        JsonNode key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"s3 cli\"}"));
        credentials = Map.of("AWS_ACCESS_KEY_ID", key.get("accessKeyId").asText(),
                "AWS_SECRET_ACCESS_KEY", key.get("secretAccessKey").asText());
        // path-style addressing: the bucket is the path's first segment under /s3
        Files.writeString(dir.resolve("config"), "[default]\ns3 =\n    addressing_style = path\n");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void makesCopiesListsPresignsRemovesAndRemovesTheBucket() throws Exception {
        ok("s3", "mb", "s3://cli-bucket");
        Path small = Files.writeString(dir.resolve("small.txt"), "small object\n");
        ok("s3", "cp", small.toString(), "s3://cli-bucket/docs/a.txt");
        ok("s3", "cp", small.toString(), "s3://cli-bucket/docs/sub/b.txt");
        ok("s3", "cp", small.toString(), "s3://cli-bucket/other.txt");

        Path big = dir.resolve("big.bin");
        String bigMd5 = writeRandom(big, 200L * 1024 * 1024);
        ok("s3", "cp", big.toString(), "s3://cli-bucket/big/big.bin");
        JsonNode head = ok("s3api", "head-object", "--bucket", "cli-bucket", "--key", "big/big.bin").json();
        assertThat(head.get("ContentLength").asLong()).isEqualTo(200L * 1024 * 1024);
        // uploaded in parts: S3's multipart ETag, "<md5 of part md5s>-<parts>"
        assertThat(head.get("ETag").asText()).matches("\"[0-9a-f]{32}-\\d+\"");
        Path back = dir.resolve("big-back.bin");
        ok("s3", "cp", "s3://cli-bucket/big/big.bin", back.toString());
        assertThat(md5(back)).isEqualTo(bigMd5);
        Files.delete(back);

        String top = ok("s3", "ls", "s3://cli-bucket/").stdout();
        assertThat(top).contains("PRE docs/").contains("PRE big/").contains("other.txt");
        String docs = ok("s3", "ls", "s3://cli-bucket/docs/").stdout();
        assertThat(docs).contains("a.txt").contains("PRE sub/").doesNotContain("other.txt");
        String all = ok("s3", "ls", "--recursive", "s3://cli-bucket/docs/").stdout();
        assertThat(all).contains("docs/a.txt").contains("docs/sub/b.txt");
        assertThat(ok("s3", "ls").stdout()).contains("cli-bucket");

        String url = ok("s3", "presign", "s3://cli-bucket/docs/a.txt", "--expires-in", "300").stdout().strip();
        Process curl = new ProcessBuilder("curl", "-s", "-f", url).redirectErrorStream(true).start();
        String fetched = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as(fetched).isZero();
        assertThat(fetched).isEqualTo("small object\n");

        Run range = ok("s3api", "get-object", "--bucket", "cli-bucket", "--key", "docs/a.txt", "--range", "bytes=0-4",
                dir.resolve("range.txt").toString());
        assertThat(range.json().get("ContentRange").asText()).isEqualTo("bytes 0-4/13");
        assertThat(Files.readString(dir.resolve("range.txt"))).isEqualTo("small");

        JsonNode copied = ok("s3api", "copy-object", "--bucket", "cli-bucket", "--key", "copies/a.txt",
                "--copy-source", "cli-bucket/docs/a.txt").json();
        assertThat(copied.get("CopyObjectResult").get("ETag").asText()).isEqualTo("\"" + md5(small) + "\"");

        Run missing = aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "nope");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("404");

        ok("s3", "rm", "s3://cli-bucket/other.txt");
        assertThat(ok("s3", "ls", "s3://cli-bucket/").stdout()).doesNotContain("other.txt");
        Run notEmpty = aws("s3", "rb", "s3://cli-bucket");
        assertThat(notEmpty.exitCode()).isNotZero();
        assertThat(notEmpty.stderr()).contains("BucketNotEmpty");
        ok("s3", "rm", "--recursive", "s3://cli-bucket/");
        ok("s3", "rb", "s3://cli-bucket");
        assertThat(ok("s3", "ls").stdout()).doesNotContain("cli-bucket");
    }

    @Test
    void putBucketNotificationConfigurationMapsOntoTriggers() throws Exception {
        node.deploy("cli-on-upload", "dev.cumulus.testfn.CloudEventLog", Map.of());
        ok("s3", "mb", "s3://cli-events");
        Path config = Files.writeString(dir.resolve("notification.json"), """
                {"LambdaFunctionConfigurations": [{"Id": "jpegs",
                  "LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:cli-on-upload",
                  "Events": ["s3:ObjectCreated:*"],
                  "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "uploads/"},
                                                     {"Name": "suffix", "Value": ".jpg"}]}}}]}""");
        ok("s3api", "put-bucket-notification-configuration", "--bucket", "cli-events",
                "--notification-configuration", "file://" + config);
        JsonNode read = ok("s3api", "get-bucket-notification-configuration", "--bucket", "cli-events").json();
        JsonNode trigger = read.get("LambdaFunctionConfigurations").get(0);
        assertThat(trigger.get("Id").asText()).isEqualTo("jpegs");
        assertThat(trigger.get("LambdaFunctionArn").asText()).endsWith(":function:cli-on-upload");
        assertThat(trigger.get("Events").get(0).asText()).isEqualTo("s3:ObjectCreated:*");
        assertThat(trigger.get("Filter").get("Key").get("FilterRules").toString()).contains("uploads/").contains(".jpg");
    }

    @Test
    void aBadBucketNameGetsInvalidBucketName() throws Exception {
        Run bad = aws("s3api", "create-bucket", "--bucket", "192.168.1.1");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr()).contains("InvalidBucketName");
    }

    /** Writes {@code size} pseudo-random bytes, streamed; returns their MD5. */
    static String writeRandom(Path file, long size) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        Random random = new Random(42);
        byte[] buffer = new byte[1024 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += buffer.length) {
                random.nextBytes(buffer);
                int n = (int) Math.min(buffer.length, size - written);
                out.write(buffer, 0, n);
                md5.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    static String md5(Path file) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1024 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md5.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static Run ok(String... args) throws Exception {
        Run run = aws(args);
        assertThat(run.exitCode()).as("aws %s: %s", String.join(" ", args), run.stderr()).isZero();
        return run;
    }

    private static Run aws(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(AWS, "--endpoint-url", node.url("/s3").toString(),
                "--output", "json"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        builder.environment().putAll(credentials);
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        builder.environment().put("AWS_PAGER", "");
        builder.environment().put("AWS_CONFIG_FILE", dir.resolve("config").toString());
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
        Process process = builder.start();
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as("aws finished").isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
    }
}
