package dev.cumulus.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.runtimeapi.UnixHttp;
import dev.cumulus.sandbox.ExitStatus;
import dev.cumulus.sandbox.SandboxProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-off between a caller and an instance's runtime (issue 12): an {@code invocation/next}
 * poll is kept by the instance and the caller's thread writes the event into it; against the real
 * Runtime API server on a real Unix socket, with the runtime's side written by hand.
 */
class InstanceHandOffTest {
    private static final String RT = "/2018-06-01/runtime/";

    @TempDir
    Path dir;
    private RuntimeApiServer server;
    private RuntimeApiServer.Endpoint endpoint;
    private Instance instance;
    private Path socket;
    private final DeadlineWatcher deadlines = new DeadlineWatcher();
    private final java.util.concurrent.ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeEach
    void open() throws IOException {
        server = RuntimeApiServer.start();
        instance = new Instance("i-1", new FunctionVersion(FunctionVersion.LATEST, "r1",
                FunctionConfig.defaults("f", "example.Handler"), new CodeRef("0".repeat(64), 1), Instant.EPOCH),
                (project, function, id, requestId, line) -> { }, "us-east-1");
        socket = dir.resolve("rt.sock");
        endpoint = server.open(socket, instance);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        endpoint.close();
        server.close();
        deadlines.close();
    }

    @Test
    void aWaitingPollIsHandedTheEventAndTheAnswerReachesTheCaller() throws Exception {
        CompletableFuture<UnixHttp.Reply> poll = CompletableFuture.supplyAsync(() -> get(RT + "invocation/next"), threads);
        await().atMost(Duration.ofSeconds(10)).until(() -> instance.waitingPolls() == 1);

        CompletableFuture<InvocationResult.Answer> answer = invoke("req-1", "{\"n\":1}");
        UnixHttp.Reply event = poll.get(10, TimeUnit.SECONDS);
        assertThat(event.status()).isEqualTo(200);
        assertThat(event.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-1");
        assertThat(event.body()).isEqualTo("{\"n\":1}");
        assertThat(instance.waitingPolls()).isZero();

        UnixHttp.Reply posted = UnixHttp.post(socket, RT + "invocation/req-1/response", Map.of(),
                "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(posted.status()).isEqualTo(202);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(InvocationResult.Success.class,
                s -> assertThat(new String(s.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}"));
    }

    @Test
    void anEventWithNoPollWaitsForTheNextOne() throws Exception {
        invoke("req-2", "{}");
        UnixHttp.Reply event = UnixHttp.get(socket, RT + "invocation/next");
        assertThat(event.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-2");
    }

    @Test
    void aPollWhoseConnectionDiesIsDroppedAndDoesNotSwallowTheNextEvent() throws Exception {
        try (SocketChannel dead = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.connect(UnixDomainSocketAddress.of(socket));
            dead.write(ByteBuffer.wrap(("GET " + RT + "invocation/next HTTP/1.1\r\nHost: rt\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            await().atMost(Duration.ofSeconds(10)).until(() -> instance.waitingPolls() == 1);
        }
        // the dead poll is still kept (Jetty does not notice a peer closing while its request
        // waits); the event written into it fails and goes on to the next poll
        CompletableFuture<InvocationResult.Answer> answer = invoke("req-3", "{}");
        UnixHttp.Reply event = UnixHttp.get(socket, RT + "invocation/next");
        assertThat(event.header("Lambda-Runtime-Aws-Request-Id")).as("the event went to a live poll").isEqualTo("req-3");
        UnixHttp.post(socket, RT + "invocation/req-3/response", Map.of(), "1".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isInstanceOf(InvocationResult.Success.class);
    }

    @Test
    void stoppingTheInstanceAnswersItsWaitingPolls410() throws Exception {
        CompletableFuture<UnixHttp.Reply> poll = CompletableFuture.supplyAsync(() -> get(RT + "invocation/next"), threads);
        await().atMost(Duration.ofSeconds(10)).until(() -> instance.waitingPolls() == 1);
        instance.destroy();
        assertThat(poll.get(10, TimeUnit.SECONDS).status()).isEqualTo(410);
        assertThat(UnixHttp.get(socket, RT + "invocation/next").status()).as("and every later one").isEqualTo(410);
    }

    @Test
    void startReturnsBeforeTheAnswerAndTheAnswerCompletesWhenTheRuntimePostsIt() throws Exception {
        CompletableFuture<UnixHttp.Reply> poll = CompletableFuture.supplyAsync(() -> get(RT + "invocation/next"), threads);
        await().atMost(Duration.ofSeconds(10)).until(() -> instance.waitingPolls() == 1);

        CompletableFuture<InvocationResult.Answer> answer = start("req-4", "{\"n\":4}");
        assertThat(answer).as("nothing waited for the function").isNotDone();
        UnixHttp.Reply event = poll.get(10, TimeUnit.SECONDS);
        assertThat(event.header("Lambda-Runtime-Aws-Request-Id")).isEqualTo("req-4");
        UnixHttp.post(socket, RT + "invocation/req-4/response", Map.of(), "{\"ok\":4}".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(InvocationResult.Success.class,
                s -> assertThat(new String(s.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":4}"));
        assertThat(instance.runningRequestIds()).as("the instance forgot it before its caller heard").isEmpty();
    }

    @Test
    void anEventStartedOnAnInstanceThatEndsBeforeTakingItIsAnsweredNotDelivered() throws Exception {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        instance.attach(new EndingProcess(exit), () -> { });
        CompletableFuture<InvocationResult.Answer> answer = start("req-5", "{}"); // no poll: it stays queued
        exit.complete(new ExitStatus.Exited(1));
        InvocationResult.Answer result = answer.get(10, TimeUnit.SECONDS);
        assertThat(Instance.notDelivered(result)).as("the caller may place it again: %s", result).isTrue();
    }

    @Test
    void anEventTakenByAnInstanceThatEndsIsACrashNotARetry() throws Exception {
        CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
        instance.attach(new EndingProcess(exit), () -> { });
        CompletableFuture<InvocationResult.Answer> answer = start("req-6", "{}");
        assertThat(UnixHttp.get(socket, RT + "invocation/next").header("Lambda-Runtime-Aws-Request-Id"))
                .isEqualTo("req-6");
        exit.complete(new ExitStatus.Exited(1));
        InvocationResult.Answer result = answer.get(10, TimeUnit.SECONDS);
        assertThat(Instance.notDelivered(result)).as("the function saw it: never run twice").isFalse();
        assertThat(result).isInstanceOfSatisfying(InvocationResult.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(InvocationResult.Kind.CRASH));
    }

    private CompletableFuture<InvocationResult.Answer> start(String requestId, String payload) {
        return instance.start(new InvocationRequest(requestId, "Root=1-0-0", payload.getBytes(StandardCharsets.UTF_8)),
                System.nanoTime() + TimeUnit.SECONDS.toNanos(30), System.currentTimeMillis() + 30_000, null, deadlines);
    }

    /** A process that ends when the test says: the instance learns of its exit as of a real one's. */
    private record EndingProcess(CompletableFuture<ExitStatus> onExit) implements SandboxProcess {
        @Override
        public long pid() {
            return 1;
        }

        @Override
        public java.io.InputStream output() {
            return java.io.InputStream.nullInputStream();
        }

        @Override
        public void destroy() {
            onExit.complete(new ExitStatus.Destroyed());
        }

        @Override
        public long residentBytes() {
            return -1;
        }

        @Override
        public boolean isAlive() {
            return !onExit.isDone();
        }

        @Override
        public boolean pidsLimitReached() {
            return false;
        }
    }

    private CompletableFuture<InvocationResult.Answer> invoke(String requestId, String payload) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return instance.invoke(new InvocationRequest(requestId, "Root=1-0-0",
                        payload.getBytes(StandardCharsets.UTF_8)), System.nanoTime() + TimeUnit.SECONDS.toNanos(30),
                        System.currentTimeMillis() + 30_000, null, deadlines);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    private UnixHttp.Reply get(String path) {
        try {
            return UnixHttp.get(socket, path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
