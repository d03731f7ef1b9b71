package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The {@code examples/csv-etl} pipeline end to end with the example's own (shaded) code package:
 * a CSV with good, malformed and invalid rows uploaded under {@code incoming/} ends split into
 * {@code clean/} JSON lines and {@code rejected/} lines with their reasons.
 */
class CsvEtlExampleTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("cumulus.example.csvetl.jar"));
    private static final Duration PROCESSING = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;

    static TestNode node;
    static S3Client s3;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
        s3 = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"csv\"}")), node);
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "csv-etl", "policy": {"Version": "2026-12-01", "Statement": [
                  {"Effect": "Allow", "Action": "storage:GetObject", "Resource": "crn:cumulus:storage:default:data/incoming/*"},
                  {"Effect": "Allow", "Action": "storage:PutObject", "Resource": ["crn:cumulus:storage:default:data/clean/*",
                    "crn:cumulus:storage:default:data/rejected/*"]}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        node.deploy("csv-etl", "com.example.csvetl.CsvEtl", Map.of("role", "csv-etl", "memoryMb", 512),
                node.upload(EXAMPLE));
        s3.createBucket(b -> b.bucket("data"));
        s3.putBucketNotificationConfiguration(b -> b.bucket("data").notificationConfiguration(n -> n
                .lambdaFunctionConfigurations(LambdaFunctionConfiguration.builder().id("etl")
                        .lambdaFunctionArn("csv-etl").events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(r -> r.name(FilterRuleName.PREFIX).value("incoming/"),
                                r -> r.name(FilterRuleName.SUFFIX).value(".csv"))))
                        .build())));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void goodMalformedAndInvalidRowsEndSplitCorrectly() throws Exception {
        String csv = """
                id,name,email,amount
                1,Ada Lovelace,ada@example.com,12.50
                2,"Hopper, Grace",grace@example.org,0
                3,Too,many@example.com,1,extra
                4,,nobody@example.com,5
                x5,Bad Id,bad@example.com,5
                6,Neg,neg@example.com,-3
                7,Mail,not-an-address,2
                8,Short
                9,Alan Turing,alan@example.net,1e3
                """;
        s3.putObject(b -> b.bucket("data").key("incoming/2026-12-05.csv").contentType("text/csv"),
                RequestBody.fromString(csv));

        List<JsonNode> rejected = await().atMost(PROCESSING).ignoreExceptions()
                .until(() -> lines("rejected/2026-12-05.jsonl"), l -> l != null);
        List<JsonNode> clean = lines("clean/2026-12-05.jsonl");
        assertThat(clean).extracting(n -> n.get("id").asLong()).containsExactly(1L, 2L, 9L);
        assertThat(clean.get(1).get("name").asText()).isEqualTo("Hopper, Grace");
        assertThat(clean.get(0).get("amount").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(clean.get(2).get("email").asText()).isEqualTo("alan@example.net");

        assertThat(rejected).extracting(n -> n.get("line").asLong()).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(rejected.get(0).get("reasons").get(0).asText()).isEqualTo("malformed: expected 4 fields, got 5");
        assertThat(rejected.get(1).get("reasons").get(0).asText()).isEqualTo("name is required");
        assertThat(rejected.get(2).get("reasons").get(0).asText()).startsWith("id must be a positive integer");
        assertThat(rejected.get(3).get("reasons").get(0).asText()).isEqualTo("amount must not be negative");
        assertThat(rejected.get(4).get("reasons").get(0).asText()).startsWith("email is not an address");
        assertThat(rejected.get(5).get("reasons").get(0).asText()).isEqualTo("malformed: expected 4 fields, got 2");
        assertThat(rejected.get(5).get("fields").toString()).isEqualTo("[\"8\",\"Short\"]");
    }

    private static List<JsonNode> lines(String key) throws IOException {
        String text = s3.getObjectAsBytes(b -> b.bucket("data").key(key)).asUtf8String();
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                out.add(TestNode.JSON.readTree(line));
            }
        }
        return out;
    }
}
