package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InvocationRequest;
import dev.cumulus.scheduler.InvocationResult;
import dev.cumulus.scheduler.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm invocations answered by the thread that reads the function's result, after the request's
 * own handler has returned (issue 12, docs/adr/0053-warm-answers-written-by-the-result-reader.md):
 * on a real node, such a request still holds its client's place until its answer is written, and
 * a client that does not read its answer holds up no other answer of the same instance; one that
 * waited in its function's queue for a slot is handed over the same way
 * (docs/adr/0055-queued-invocations-handed-over.md).
 */
class LaterAnswersTest {
    /** The edge's limit on one client address's requests to functions in flight (edge.Admission). */
    private static final int PER_ADDRESS = 32;

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aRequestWaitingForItsWarmAnswerHoldsItsClientsPlaceUntilTheAnswerIsWritten() throws Exception {
        node.deploy("held", "dev.cumulus.testfn.Gate", Map.of("public", true, "concurrency", PER_ADDRESS + 8,
                "maxInstances", 1, "timeoutSeconds", 30));
        assertThat(post("/fn/held/?do=work", "").statusCode()).as("warm").isEqualTo(200);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> waiting = new ArrayList<>();
            for (int i = 0; i < PER_ADDRESS; i++) {
                waiting.add(clients.submit(() -> post("/fn/held/?do=wait", "")));
            }
            // every one of them reached the function (their handlers returned long ago)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    node.invoke("held", Map.of("do", "max")).body()).isEqualTo("\"" + PER_ADDRESS + "\""));

            HttpResponse<String> refused = post("/fn/held/?do=work", "");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.body()).contains("TooManyConnections");

            assertThat(node.invoke("held", Map.of("do", "release")).body()).isEqualTo("\"released\"");
            for (Future<HttpResponse<String>> call : waiting) {
                assertThat(call.get().statusCode()).isEqualTo(200);
                assertThat(call.get().body()).isEqualTo("\"opened\"");
            }
            // and every place comes back once its answer is written: a full share at once is
            // served (a client can read its answer an instant before the node has counted it
            // written, hence the retries; a place never given back fails every round)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<Future<HttpResponse<String>>> again = new ArrayList<>();
                for (int i = 0; i < PER_ADDRESS; i++) {
                    again.add(clients.submit(() -> post("/fn/held/?do=work", "")));
                }
                for (Future<HttpResponse<String>> call : again) {
                    assertThat(call.get().statusCode()).as(call.get().body()).isEqualTo(200);
                }
            });
        }
    }

    @Test
    void aClientThatDoesNotReadItsAnswerHoldsUpNoOtherAnswerOfTheSameInstance() throws Exception {
        node.deploy("echo-big", "dev.cumulus.testfn.Echo", Map.of("public", true, "concurrency", 4, "maxInstances", 1));
        assertThat(post("/fn/echo-big/", "warm").statusCode()).isEqualTo(201);
        // more than the kernel buffers a connection (4 MB of send buffer at most by default, and
        // the client's small receive window): the node cannot write it all before the client reads
        int size = 5 * 1024 * 1024;
        try (Socket slow = new Socket("127.0.0.1", node.url("/").getPort())) {
            slow.setReceiveBufferSize(64 * 1024);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /fn/echo-big/ HTTP/1.1\r\nHost: node\r\nContent-Type: text/plain\r\nContent-Length: " + size
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write("a".repeat(size).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // its answer (more than 5 MB) is written as far as the socket takes it, and no further
            // until the client reads; meanwhile the instance's other answers go out
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> other = post("/fn/echo-big/", "other " + i);
                assertThat(other.statusCode()).isEqualTo(201);
                assertThat(other.body()).contains("other " + i);
            }
            slow.setSoTimeout(30_000);
            InputStream in = slow.getInputStream();
            byte[] all = in.readNBytes(size); // the head and most of the body; the rest is the echo's JSON around it
            String head = new String(all, 0, 200, StandardCharsets.US_ASCII);
            assertThat(head).startsWith("HTTP/1.1 201");
            long body = headerLength(head);
            long read = all.length - (head.indexOf("\r\n\r\n") + 4);
            read += in.readNBytes((int) (body - read)).length;
            assertThat(read).as("the whole answer arrived").isEqualTo(body).isGreaterThan(size);
        }
    }

    @Test
    void anInvocationThatWaitedForASlotIsHandedOverNotWaitedFor() throws Exception {
        node.deploy("one-slot", "dev.cumulus.testfn.Gate", Map.of("concurrency", 1, "maxInstances", 1,
                "timeoutSeconds", 30));
        assertThat(node.invoke("one-slot", Map.of("do", "work", "ms", 1)).statusCode()).as("warm").isEqualTo(200);
        Scheduler scheduler = node.platform.scheduler();
        FunctionVersion version = node.platform.registry().resolve("one-slot", null);

        CompletableFuture<InvocationResult> first = scheduler.start(version, work("req-first", 3_000));
        assertThat(first).as("the first took the free slot and was handed over").isNotDone();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            // the only slot is the first's for 3 s: the second's caller waits in the queue for it
            Future<CompletableFuture<InvocationResult>> second = callers.submit(
                    () -> scheduler.start(version, work("req-second", 5_000)));
            CompletableFuture<InvocationResult> handedOver = second.get(30, TimeUnit.SECONDS);
            assertThat(first.get(30, TimeUnit.SECONDS).answer()).as("the slot came free with the first's answer")
                    .isInstanceOfSatisfying(InvocationResult.Success.class, s -> assertThat(text(s)).isEqualTo("\"worked\""));
            assertThat(handedOver).as("its caller was free before the function's answer").isNotDone();
            InvocationResult result = handedOver.get(30, TimeUnit.SECONDS);
            assertThat(result.answer()).isInstanceOfSatisfying(InvocationResult.Success.class,
                    s -> assertThat(text(s)).isEqualTo("\"worked\""));
            assertThat(result.coldStart()).as("on the warm instance the first left").isFalse();
        }
        assertThat(scheduler.counts("one-slot").busy()).as("its slot given back").isZero();
    }

    private static InvocationRequest work(String requestId, int ms) {
        return new InvocationRequest(requestId, null,
                ("{\"do\":\"work\",\"ms\":" + ms + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static String text(InvocationResult.Success success) {
        return new String(success.payload(), StandardCharsets.UTF_8);
    }

    private static long headerLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        throw new AssertionError("no Content-Length in " + head);
    }

    private static HttpResponse<String> post(String path, String body) {
        return node.exchange(HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
