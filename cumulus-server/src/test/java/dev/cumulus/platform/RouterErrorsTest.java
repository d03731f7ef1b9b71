package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's answers on a real node, in each API's error dialect: unknown paths, wrong
 * methods with {@code Allow}, percent-decoding, and the {@code /v1/projects/{project}} prefix.
 */
class RouterErrorsTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void anUnknownPathIs404AndAWrongMethod405WithAllowInCumulusJson() {
        HttpResponse<String> unknown = node.send("GET", "/v1/nothing/here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(unknown).get("error").asText()).isEqualTo("NotFound");

        HttpResponse<String> wrong = node.send("DELETE", "/v1/functions", null);
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).contains("GET");
        assertThat(TestNode.json(wrong).get("error").asText()).isEqualTo("MethodNotAllowed");

        HttpResponse<String> versions = node.send("PUT", "/v1/functions/f/versions", null);
        assertThat(versions.statusCode()).isEqualTo(405);
        assertThat(versions.headers().firstValue("Allow")).contains("GET, POST");
    }

    @Test
    void aKnownPathWithoutATokenIs401() {
        HttpResponse<String> anonymous = node.send("GET", "/v1/functions", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(TestNode.json(anonymous).get("error").asText()).isEqualTo("Unauthorized");
        assertThat(node.send("GET", "/v1/functions", null, "not-the-token").statusCode()).isEqualTo(401);
    }

    @Test
    void theLambdaApiAnswersUnknownPathsAndMethodsInItsOwnShape() {
        HttpResponse<String> unknown = node.send("GET", "/2015-03-31/layers", null, null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
        assertThat(unknown.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(TestNode.json(unknown).get("Type").asText()).isEqualTo("User");

        HttpResponse<String> wrong = node.send("DELETE", "/2015-03-31/functions", null, null);
        assertThat(wrong.headers().firstValue("x-amzn-ErrorType")).contains("UnknownOperationException");
        assertThat(wrong.headers().firstValue("Allow")).contains("GET, POST");

        // a known operation without a signature: Lambda's authentication error, without a Type
        HttpResponse<String> unsigned = node.send("GET", "/2015-03-31/functions", null, null);
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");
        assertThat(TestNode.json(unsigned).has("Type")).isFalse();
    }

    @Test
    void theProjectPrefixServesTheSameRoutesInTheNamedProject() {
        String code = node.testFunctionsCode();
        HttpResponse<String> created = node.send("PUT", "/v1/projects/default/functions/in-project",
                "{\"handler\":\"dev.cumulus.testfn.Hello\",\"codeSha256\":\"" + code + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode listed = TestNode.json(node.send("GET", "/v1/projects/default/functions", null));
        assertThat(listed.get("functions").findValuesAsText("name")).contains("in-project");
        assertThat(node.send("GET", "/v1/functions/in-project", null).statusCode()).isEqualTo(200);

        HttpResponse<String> other = node.send("GET", "/v1/projects/elsewhere/functions", null);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(other).get("message").asText()).contains("elsewhere");
    }

    @Test
    void pathParametersArriveDecoded() {
        // %2D is '-': the handler sees the decoded name
        assertThat(node.send("PUT", "/v1/topics/orders%2Dplaced", null).statusCode()).isEqualTo(201);
        JsonNode topic = TestNode.json(node.send("GET", "/v1/topics/orders-placed", null));
        assertThat(topic.get("name").asText()).isEqualTo("orders-placed");
        // (a malformed escape never gets this far: clients and Jetty refuse it; RouterTest covers the 400)
    }
}
