package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeApiClientTest {
    @TempDir
    Path dir;

    private FakeRuntimeApi api;
    private RuntimeApiClient client;
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("rt.sock");
        api = FakeRuntimeApi.unix(socket);
        client = new RuntimeApiClient(HttpConnection.unix(socket.toString()), new PrintStream(diagnostics, true));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        api.close();
    }

    @Test
    void readsInvocationsAndReusesOneConnection() throws Exception {
        api.enqueue("id-1", "{\"n\":1}");
        api.enqueueChunked("id-2", "{\"n\":\"chunked body ü\"}");

        Invocation first = client.next();
        client.postResponse(first.requestId(), "1".getBytes(StandardCharsets.UTF_8));
        Invocation second = client.next();

        assertThat(first.requestId()).isEqualTo("id-1");
        assertThat(first.functionArn()).isEqualTo("arn:cumulus:function:test");
        assertThat(first.traceId()).isEqualTo("Root=1-test");
        assertThat(first.deadlineMs()).isGreaterThan(System.currentTimeMillis());
        assertThat(new String(first.event(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        assertThat(new String(second.event(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":\"chunked body ü\"}");
        FakeRuntimeApi.Request post = api.nextPost();
        assertThat(post.path()).isEqualTo("/2018-06-01/runtime/invocation/id-1/response");
        assertThat(post.header("Content-Length")).isEqualTo("1");
        assertThat(post.text()).isEqualTo("1");
        assertThat(api.connections.get()).isEqualTo(1);
    }

    @Test
    void readsTheOptionalClientContextAndCognitoIdentityHeaders() throws Exception {
        api.enqueue("id-3", "{}", java.util.Map.of("Lambda-Runtime-Client-Context", "{\"custom\":{\"a\":\"b\"}}",
                "Lambda-Runtime-Cognito-Identity", "{\"cognitoIdentityId\":\"x\"}"));
        api.enqueue("id-4", "{}");

        Invocation with = client.next();
        client.postResponse(with.requestId(), "1".getBytes(StandardCharsets.UTF_8));
        Invocation without = client.next();

        assertThat(with.clientContext()).isEqualTo("{\"custom\":{\"a\":\"b\"}}");
        assertThat(with.cognitoIdentity()).isEqualTo("{\"cognitoIdentityId\":\"x\"}");
        assertThat(without.clientContext()).isNull();
        assertThat(without.cognitoIdentity()).isNull();
    }

    @Test
    void postsErrorsWithTheErrorTypeHeader() throws Exception {
        client.postError("a/b?c", "IllegalStateException", "{}".getBytes(StandardCharsets.UTF_8));
        client.postInitError("Runtime.ClassNotFound", "{}".getBytes(StandardCharsets.UTF_8));

        FakeRuntimeApi.Request error = api.nextPost();
        assertThat(error.path()).isEqualTo("/2018-06-01/runtime/invocation/a%2Fb%3Fc/error");
        assertThat(error.header("Lambda-Runtime-Function-Error-Type")).isEqualTo("IllegalStateException");
        FakeRuntimeApi.Request init = api.nextPost();
        assertThat(init.path()).isEqualTo("/2018-06-01/runtime/init/error");
        assertThat(init.header("Lambda-Runtime-Function-Error-Type")).isEqualTo("Runtime.ClassNotFound");
    }

    @Test
    void reconnectsWhenTheServerSaysConnectionClose() throws Exception {
        api.hangup = FakeRuntimeApi.Hangup.WITH_CONNECTION_CLOSE;
        api.enqueue("id-1", "1");
        api.enqueue("id-2", "2");

        assertThat(client.next().requestId()).isEqualTo("id-1");
        assertThat(client.next().requestId()).isEqualTo("id-2");
        assertThat(api.connections.get()).isEqualTo(2);
    }

    @Test
    void retriesOnceWhenAKeptAliveConnectionWasDroppedSilently() throws Exception {
        api.hangup = FakeRuntimeApi.Hangup.SILENTLY;
        api.enqueue("id-1", "1");
        api.enqueue("id-2", "2");

        assertThat(client.next().requestId()).isEqualTo("id-1");
        client.postResponse("id-1", "null".getBytes(StandardCharsets.UTF_8));
        assertThat(client.next().requestId()).isEqualTo("id-2");
        assertThat(api.nextPost().path()).endsWith("/id-1/response");
    }

    @Test
    void postsAnEmptyBody() throws Exception {
        client.postResponse("id-1", new byte[0]);

        FakeRuntimeApi.Request post = api.nextPost();
        assertThat(post.header("Content-Length")).isEqualTo("0");
        assertThat(diagnostics.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void reportsRefusedPostsWithoutFailing() throws Exception {
        api.enqueue("id-2", "{}");

        client.postResponse("late", "1".getBytes(StandardCharsets.UTF_8));
        Invocation next = client.next();

        assertThat(diagnostics.toString(StandardCharsets.UTF_8))
                .contains("refused the response for late with HTTP 410: {\"errorType\":\"InvocationGone\"}");
        assertThat(next.requestId()).isEqualTo("id-2");
    }
}
