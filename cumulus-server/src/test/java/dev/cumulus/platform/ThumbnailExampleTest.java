package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRuleName;
import software.amazon.awssdk.services.s3.model.LambdaFunctionConfiguration;

/**
 * The {@code examples/thumbnail} pipeline end to end with the example's own code package: a
 * 1200x800 JPEG uploaded under {@code uploads/} yields a 300x200 JPEG under {@code thumbnails/},
 * a 1000x1000 PNG a 200x200 PNG, with one invocation per upload and none for the thumbnails.
 */
class ThumbnailExampleTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("cumulus.example.thumbnail.jar"));
    private static final Duration PROCESSING = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;

    static TestNode node;
    static S3Client s3;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
        s3 = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"thumbnail\"}")), node);
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "thumbnail-writer", "policy": {"Version": "2026-12-01", "Statement": [
                  {"Effect": "Allow", "Action": "storage:GetObject", "Resource": "crn:cumulus:storage:default:media/uploads/*"},
                  {"Effect": "Allow", "Action": "storage:PutObject", "Resource": "crn:cumulus:storage:default:media/thumbnails/*"}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        node.deploy("thumbnail", "com.example.thumbnail.Thumbnail", Map.of("role", "thumbnail-writer", "memoryMb", 512),
                node.upload(EXAMPLE));
        s3.createBucket(b -> b.bucket("media"));
        s3.putBucketNotificationConfiguration(b -> b.bucket("media").notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(LambdaFunctionConfiguration.builder().id("thumbnails")
                        .lambdaFunctionArn("thumbnail").events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(r -> r.name(FilterRuleName.PREFIX).value("uploads/"))))
                        .build())));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void uploadsBecomeThumbnailsThatFitInside300x200WithoutALoop() throws Exception {
        s3.putObject(b -> b.bucket("media").key("uploads/photo.jpg").contentType("image/jpeg"),
                RequestBody.fromBytes(image(1200, 800, "jpg")));
        s3.putObject(b -> b.bucket("media").key("uploads/square.png").contentType("image/png"),
                RequestBody.fromBytes(image(1000, 1000, "png")));

        BufferedImage jpeg = await().atMost(PROCESSING).ignoreExceptions().until(() -> read("thumbnails/photo.jpg"),
                image -> image != null);
        assertThat(jpeg.getWidth()).isEqualTo(300);
        assertThat(jpeg.getHeight()).isEqualTo(200);
        BufferedImage png = await().atMost(PROCESSING).ignoreExceptions().until(() -> read("thumbnails/square.png"),
                image -> image != null);
        assertThat(png.getWidth()).isEqualTo(200);
        assertThat(png.getHeight()).isEqualTo(200);
        assertThat(s3.headObject(b -> b.bucket("media").key("thumbnails/square.png")).contentType()).isEqualTo("image/png");

        // two uploads, two invocations: the thumbnails (outside uploads/) triggered nothing
        await().atMost(PROCESSING).until(() -> invocations() >= 2);
        assertThat(node.send("GET", "/v1/functions/thumbnail/logs?limit=1000", null).body())
                .contains("thumbnail uploads/photo.jpg -> thumbnails/photo.jpg");
        assertThat(invocations()).isEqualTo(2);
    }

    private static int invocations() {
        HttpResponse<String> response = node.send("GET", "/v1/functions/thumbnail/invocations?limit=1000", null);
        return TestNode.json(response).get("invocations").size();
    }

    private static BufferedImage read(String key) throws IOException {
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket("media").key(key)).asByteArray();
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    private static byte[] image(int width, int height, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLUE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
