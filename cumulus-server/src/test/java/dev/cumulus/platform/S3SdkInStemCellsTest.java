package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A stem cell started before its function existed gets the function's session credentials and S3
 * endpoint when it is specialised (ADR 0039), and the SDK's default chains find them.
 */
class S3SdkInStemCellsTest {
    @TempDir
    static Path dir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c.withStemCells(1));
        try (S3Client admin = S3SdkTest.client(TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"admin\"}")),
                node)) {
            admin.createBucket(b -> b.bucket("cells"));
            admin.putObject(b -> b.bucket("cells").key("fn/seed.txt"), RequestBody.fromString("seeded"));
        }
        HttpResponse<String> role = node.send("POST", "/v1/roles", """
                {"name": "cell-fn", "policy": {"Version": "2026-12-01", "Statement": [{"Effect": "Allow",
                 "Action": ["storage:PutObject", "storage:GetObject", "storage:DeleteObject", "storage:ListBucket"],
                 "Resource": ["crn:cumulus:storage:default:cells/fn/*", "crn:cumulus:storage:default:cells"]}]}}""");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aSpecialisedStemCellUsesTheSdkWithTheFunctionsRole() {
        await().atMost(Duration.ofSeconds(60)).until(() -> node.platform.scheduler().waitingStemCells(256) == 1);
        long hits = node.platform.scheduler().stemCellHits();
        node.deploy("cell-sdk", "dev.cumulus.tests3sdk.SdkStorage::handle", Map.of("role", "cell-fn", "memoryMb", 256),
                node.upload(S3SdkInFunctionsTest.SDK_JAR));

        JsonNode out = TestNode.json(node.invoke("cell-sdk", Map.of("bucket", "cells", "prefix", "fn/")));
        assertThat(node.platform.scheduler().stemCellHits()).as("served by the waiting cell").isEqualTo(hits + 1);
        assertThat(out.path("got").asText()).as(out.toString()).isEqualTo("written by the SDK");
        assertThat(out.path("afterDelete").toString()).isEqualTo("[\"fn/a.txt\",\"fn/seed.txt\"]");
        assertThat(out.path("outside").asText()).isEqualTo("AccessDenied");
    }
}
