package dev.cumulus.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of the Runtime API and every invalid call, against the real server on a real
 * Unix socket. The channel behind it records what reached the platform and answers as an
 * instance does: each request id is answered once.
 */
class RuntimeApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RT = "/2018-06-01/runtime/";
    private static RuntimeApiServer server;

    @TempDir
    Path dir;
    private Path socket;
    private RecordingChannel channel;
    private RuntimeApiServer.Endpoint endpoint;

    @BeforeAll
    static void start() throws IOException {
        server = RuntimeApiServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void open() throws IOException {
        socket = dir.resolve("rt.sock");
        channel = new RecordingChannel();
        endpoint = server.open(socket, channel);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        endpoint.close();
    }

    @Test
    void nextCarriesEveryLambdaHeaderAndAContentType() throws Exception {
        channel.queue.add(new PendingInvocation("req-1", 1_700_000_000_123L, "arn:aws:lambda:us-east-1:0:function:f:1",
                "Root=1-abc", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), "{\"client\":{}}", "{\"cognitoIdentityId\":\"x\"}",
                null, "header.claims.signature"));

        UnixHttp.Reply reply = UnixHttp.get(socket, RT + "invocation/next");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"a\":1}");
        assertThat(reply.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-1");
        assertThat(reply.header("Lambda-Runtime-Deadline-Ms")).isEqualTo("1700000000123");
        assertThat(reply.header("Lambda-Runtime-Invoked-Function-Arn")).isEqualTo("arn:aws:lambda:us-east-1:0:function:f:1");
        assertThat(reply.header("Lambda-Runtime-Trace-Id")).isEqualTo("Root=1-abc");
        assertThat(reply.header("Lambda-Runtime-Client-Context")).isEqualTo("{\"client\":{}}");
        assertThat(reply.header("Lambda-Runtime-Cognito-Identity")).isEqualTo("{\"cognitoIdentityId\":\"x\"}");
        assertThat(reply.header("Lambda-Runtime-Cumulus-Token")).isEqualTo("header.claims.signature");
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void nextLeavesOutOptionalHeadersThatAreAbsent() throws Exception {
        channel.queue.add(new PendingInvocation("req-2", 1L, "arn", "trace", new byte[0], null, null, null, null));

        UnixHttp.Reply reply = UnixHttp.get(socket, RT + "invocation/next");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers()).doesNotContainKeys("lambda-runtime-client-context", "lambda-runtime-cognito-identity",
                "lambda-runtime-cumulus-token");
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void responseIsAcceptedOnceThenForbidden() throws Exception {
        channel.inFlight("req-3");

        UnixHttp.Reply first = post("invocation/req-3/response", Map.of(), "{\"ok\":true}");
        UnixHttp.Reply second = post("invocation/req-3/response", Map.of(), "{\"again\":true}");

        assertThat(first.status()).isEqualTo(202);
        assertThat(json(first).get("status").asText()).isEqualTo("OK");
        assertThat(channel.answers).containsExactly("response req-3 {\"ok\":true}");
        assertError(second, 403, "InvalidStateTransition");
    }

    @Test
    void responseForAnUnknownIdIsRefused() throws Exception {
        UnixHttp.Reply reply = post("invocation/nobody/response", Map.of(), "{}");

        assertError(reply, 400, "InvalidRequestID");
        assertThat(json(reply).get("errorMessage").asText()).isEqualTo("Invalid request ID");
        assertThat(channel.answers).isEmpty();
    }

    @Test
    void oversizedResponseIsRefusedAndFailsTheInvocation() throws Exception {
        channel.inFlight("req-4");

        UnixHttp.Reply reply = UnixHttp.post(socket, RT + "invocation/req-4/response", Map.of(),
                new byte[RuntimeApiServer.MAX_PAYLOAD_BYTES + 1]);

        assertError(reply, 413, "RequestEntityTooLarge");
        assertThat(json(reply).get("errorMessage").asText())
                .isEqualTo("Exceeded maximum allowed payload size (" + RuntimeApiServer.MAX_PAYLOAD_BYTES + " bytes).");
        assertThat(channel.answers).singleElement().asString().startsWith("error req-4 Function.ResponseSizeTooLarge");
    }

    @Test
    void streamedResponseIsDeliveredWhole() throws Exception {
        channel.inFlight("req-5");

        UnixHttp.Reply reply = UnixHttp.postChunked(socket, RT + "invocation/req-5/response",
                Map.of("Lambda-Runtime-Function-Response-Mode", "streaming"), Map.of(), "hel", "lo ", "stream");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(channel.answers).containsExactly("response req-5 hello stream");
    }

    @Test
    void streamedResponseWithErrorTrailersIsAFunctionError() throws Exception {
        channel.inFlight("req-6");
        String errorJson = "{\"errorType\":\"Stream.Broke\",\"errorMessage\":\"midway\"}";

        UnixHttp.Reply reply = UnixHttp.postChunked(socket, RT + "invocation/req-6/response",
                Map.of("Lambda-Runtime-Function-Response-Mode", "streaming"),
                Map.of("Lambda-Runtime-Function-Error-Type", "Stream.Broke",
                        "Lambda-Runtime-Function-Error-Body",
                        Base64.getEncoder().encodeToString(errorJson.getBytes(StandardCharsets.UTF_8))),
                "partial");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(channel.answers).containsExactly("error req-6 Stream.Broke " + errorJson);
    }

    @Test
    void unknownResponseModeIsRefused() throws Exception {
        channel.inFlight("req-7");

        UnixHttp.Reply reply = post("invocation/req-7/response", Map.of("Lambda-Runtime-Function-Response-Mode", "sideways"), "{}");

        assertError(reply, 400, "InvalidFunctionResponseMode");
        assertThat(channel.answers).isEmpty();
    }

    @Test
    void errorIsAcceptedWithExactly202AndItsTypeAndDocument() throws Exception {
        channel.inFlight("req-8");
        String errorJson = "{\"errorMessage\":\"bad\",\"errorType\":\"Custom.Bad\",\"stackTrace\":[]}";

        UnixHttp.Reply reply = post("invocation/req-8/error", Map.of("Lambda-Runtime-Function-Error-Type", "Custom.Bad"), errorJson);
        UnixHttp.Reply again = post("invocation/req-8/error", Map.of(), errorJson);

        assertThat(reply.status()).isEqualTo(202);
        assertThat(json(reply).get("status").asText()).isEqualTo("OK");
        assertThat(channel.answers).containsExactly("error req-8 Custom.Bad " + errorJson);
        assertError(again, 403, "InvalidStateTransition");
    }

    @Test
    void errorWithoutTypeHeaderIsUnhandled() throws Exception {
        channel.inFlight("req-9");

        UnixHttp.Reply reply = post("invocation/req-9/error", Map.of(), "{}");

        assertThat(reply.status()).isEqualTo(202);
        assertThat(channel.answers).containsExactly("error req-9 Unhandled {}");
    }

    @Test
    void errorForAnUnknownIdIsRefused() throws Exception {
        assertError(post("invocation/nobody/error", Map.of(), "{}"), 400, "InvalidRequestID");
    }

    @Test
    void initErrorIsAcceptedWithExactly202() throws Exception {
        String errorJson = "{\"errorMessage\":\"no handler\",\"errorType\":\"Runtime.NoSuchHandler\"}";

        UnixHttp.Reply reply = post("init/error", Map.of("Lambda-Runtime-Function-Error-Type", "Runtime.NoSuchHandler"), errorJson);

        assertThat(reply.status()).isEqualTo(202);
        assertThat(channel.answers).containsExactly("init-error Runtime.NoSuchHandler " + errorJson);
    }

    @Test
    void unknownPathsAndMethodsAreNotFound() throws Exception {
        assertError(UnixHttp.get(socket, RT + "invocation/req/response"), 404, "NotFound");
        assertError(post("invocation/req/elsewhere", Map.of(), "{}"), 404, "NotFound");
        assertError(UnixHttp.get(socket, "/2015-03-31/functions"), 404, "NotFound");
    }

    @Test
    void aClosedEndpointNoLongerListens() throws Exception {
        endpoint.close();

        assertThat(socket).doesNotExist();
    }

    @Test
    void loopbackEndpointServesTheSameApiOverTcp() throws Exception {
        RecordingChannel tcpChannel = new RecordingChannel();
        try (RuntimeApiServer.Endpoint loopback = server.openLoopback(tcpChannel)) {
            tcpChannel.inFlight("req-10");
            String address = loopback.loopbackAddress();
            assertThat(address).startsWith("127.0.0.1:");
            var http = java.net.http.HttpClient.newHttpClient();
            var response = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://" + address + RT + "invocation/req-10/response"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"tcp\":true}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(tcpChannel.answers).containsExactly("response req-10 {\"tcp\":true}");
        }
    }

    @Test
    void aFramesRuntimesSocketAnswersEveryPoll403AndClosesTheConnection() throws Exception {
        Path framesSocket = dir.resolve("frames-rt.sock");
        RecordingChannel framesChannel = new RecordingChannel();
        try (RuntimeApiServer.Endpoint frames = server.open(framesSocket, framesChannel,
                RuntimeApiServer.Invocations.OVER_FRAMES)) {
            framesChannel.queue.add(new PendingInvocation("req-11", 1L, "arn", "trace", new byte[0], null, null, null,
                    null));
            // a keep-alive poll, as code inside the instance would park it
            String raw = untilClosed(framesSocket, "GET " + RT + "invocation/next HTTP/1.1\r\nHost: rt\r\n\r\n");

            assertThat(raw).startsWith("HTTP/1.1 403 ");
            assertThat(raw).containsIgnoringCase("Content-Type: application/json");
            JsonNode body = JSON.readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("errorType").asText()).isEqualTo("InvocationsOverFrames");
            assertThat(body.get("errorMessage").asText()).isNotBlank();
            assertThat(framesChannel.polls).as("polls that reached the channel").hasValue(0);
            assertThat(framesChannel.queue).as("the invocation went to no poll").hasSize(1);
            // the rest of the socket still serves: answers, node services and specialisation
            framesChannel.inFlight("req-12");
            UnixHttp.Reply answer = UnixHttp.post(framesSocket, RT + "invocation/req-12/response", Map.of(),
                    "{}".getBytes(StandardCharsets.UTF_8));
            assertThat(answer.status()).isEqualTo(202);
        }
    }

    @Test
    void aProvidedRuntimesSocketParksItsConcurrencyPlusSparePollsThenAnswers429() throws Exception {
        int parked = channel.concurrency() + RuntimeApiServer.SPARE_POLLS;
        String next = "GET " + RT + "invocation/next HTTP/1.1\r\nHost: rt\r\n\r\n";
        List<SocketChannel> polls = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < parked; i++) {
                SocketChannel poll = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                poll.write(ByteBuffer.wrap(next.getBytes(StandardCharsets.US_ASCII)));
                polls.add(poll);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.get() == parked);

            UnixHttp.Reply refused = UnixHttp.get(socket, RT + "invocation/next");

            assertError(refused, 429, "TooManyLongPolls");
            for (int i = 0; i < parked; i++) {
                channel.queue.add(new PendingInvocation("req-p" + i, 1L, "arn", "trace",
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), null, null, null, null));
            }
            for (SocketChannel poll : polls) {
                String answer = readUntil(poll, "}");
                assertThat(answer).startsWith("HTTP/1.1 200 ").containsPattern("\\{\"n\":[0-9]\\}$");
            }
        } finally {
            for (SocketChannel poll : polls) {
                poll.close();
            }
        }
    }

    /** Sends {@code request} on a connection of its own and reads until the server closes it. */
    private static String untilClosed(Path socket, String request) throws Exception {
        try (SocketChannel connection = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            connection.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            // a connection the server keeps open never ends this read: the timeout fails the test
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(Channels.newInputStream(connection).readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(10, TimeUnit.SECONDS);
        }
    }

    /** Reads from {@code connection} until what was read ends with {@code end}. */
    private static String readUntil(SocketChannel connection, String end) throws IOException {
        StringBuilder read = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (!read.toString().endsWith(end)) {
            buffer.clear();
            if (connection.read(buffer) < 0) {
                break;
            }
            read.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        }
        return read.toString();
    }

    private UnixHttp.Reply post(String path, Map<String, String> headers, String body) throws IOException {
        return UnixHttp.post(socket, RT + path, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertError(UnixHttp.Reply reply, int status, String errorType) throws IOException {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = json(reply);
        assertThat(body.get("errorType").asText()).isEqualTo(errorType);
        assertThat(body.get("errorMessage").asText()).isNotBlank();
    }

    private static JsonNode json(UnixHttp.Reply reply) throws IOException {
        return JSON.readTree(reply.body());
    }

    /** The platform side as an instance behaves: answers for in-flight ids are taken once. */
    private static final class RecordingChannel implements RuntimeChannel {
        final LinkedBlockingQueue<PendingInvocation> queue = new LinkedBlockingQueue<>();
        final List<String> answers = new CopyOnWriteArrayList<>();
        private final Map<String, Boolean> answered = new ConcurrentHashMap<>();

        void inFlight(String requestId) {
            answered.put(requestId, false);
        }

        /** {@code invocation/next} calls that reached the platform. */
        final java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public PendingInvocation next() throws InterruptedException {
            polls.incrementAndGet();
            return queue.take();
        }

        @Override
        public Delivery respond(String requestId, byte[] payload) {
            return take(requestId, "response " + requestId + " " + new String(payload, StandardCharsets.UTF_8));
        }

        @Override
        public Delivery error(String requestId, String errorType, byte[] errorJson) {
            return take(requestId, "error " + requestId + " " + errorType + " " + new String(errorJson, StandardCharsets.UTF_8));
        }

        @Override
        public void initError(String errorType, byte[] errorJson) {
            answers.add("init-error " + errorType + " " + new String(errorJson, StandardCharsets.UTF_8));
        }

        private Delivery take(String requestId, String record) {
            Boolean done = answered.get(requestId);
            if (done == null) {
                return Delivery.UNKNOWN_ID;
            }
            if (done || answered.replace(requestId, false, true) == false) {
                return Delivery.ALREADY_ANSWERED;
            }
            answers.add(record);
            return Delivery.ACCEPTED;
        }
    }
}
