package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.Delivery;
import dev.cumulus.runtimeapi.PendingInvocation;
import dev.cumulus.runtimeapi.RuntimeChannel;
import dev.cumulus.sandbox.ExitStatus;
import dev.cumulus.sandbox.SandboxProcess;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One sandboxed process serving one function revision, and the platform side of its Runtime API.
 * Its lifecycle state is guarded by the owning {@link InstancePool}'s lock; the invocation
 * hand-off here is lock-free so a busy instance never blocks its pool.
 */
final class Instance implements RuntimeChannel {
    private static final PendingInvocation STOP = new PendingInvocation("", 0, "", "", new byte[0], null, null, null);

    final String id;
    final FunctionVersion version;
    /** the node's region, in the invoked function's ARN */
    private final String region;
    final long launchedNanos = System.nanoTime();

    // guarded by the pool's lock
    InstanceState state = InstanceState.STARTING;
    int inFlight;
    long idleEpoch;

    private volatile SandboxProcess process;
    private volatile Runnable onClose = () -> {};
    private volatile String currentRequestId;
    private volatile long readyNanos;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the process has exited, whoever ended it; lets the pool notice an idle crash. */
    final CompletableFuture<Void> processGone = new CompletableFuture<>();
    private final BlockingQueue<PendingInvocation> handoff = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<InvocationResult.Answer>> pending = new ConcurrentHashMap<>();
    /** Recently answered ids, so a second answer gets Lambda's 403 rather than "unknown id". */
    private final RecentIds finished = new RecentIds(64);

    Instance(String id, FunctionVersion version, String region) {
        this.id = id;
        this.version = version;
        this.region = region;
    }

    void attach(SandboxProcess process, Runnable onClose) {
        this.process = process;
        this.onClose = onClose;
        process.onExit().thenAccept(this::exited);
    }

    /** Waits until the runtime asks for its first invocation; returns the start-up time in µs. */
    long awaitReady(long timeoutNanos) throws InterruptedException, TimeoutException, InitFailedException {
        try {
            ready.get(timeoutNanos, TimeUnit.NANOSECONDS);
            return (readyNanos - launchedNanos) / 1_000;
        } catch (ExecutionException e) {
            throw (InitFailedException) e.getCause();
        }
    }

    /**
     * Hands one event to the runtime and waits for its answer; {@code deadlines} ends the wait
     * with a timeout failure at {@code deadlineNanos}.
     */
    InvocationResult.Answer invoke(InvocationRequest request, long deadlineNanos, long deadlineEpochMs,
            DeadlineWatcher deadlines) throws InterruptedException {
        CompletableFuture<InvocationResult.Answer> answer = new CompletableFuture<>();
        pending.put(request.requestId(), answer);
        deadlines.watch(deadlineNanos, answer, this::timedOut);
        currentRequestId = request.requestId();
        handoff.add(new PendingInvocation(
                request.requestId(), deadlineEpochMs, functionArn(), request.traceId(), request.payload(),
                request.clientContext(), request.cognitoIdentity(), request.cloudEvent()));
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("answers are never completed exceptionally", e.getCause());
        } finally {
            finished.add(request.requestId());
            pending.remove(request.requestId());
            deadlines.unwatch(answer);
        }
    }

    private InvocationResult.Failure timedOut() {
        return ErrorDocument.failure(InvocationResult.Kind.TIMEOUT, "Timeout",
                "Task timed out after " + version.config().timeoutSeconds() + " seconds");
    }

    private String functionArn() {
        return FunctionArns.function(region, FunctionArns.DEFAULT_PROJECT, version.functionName(), version.version());
    }

    /** The request id of the invocation running now, to tag the instance's log lines. */
    String currentRequestId() {
        return currentRequestId;
    }

    boolean pidsLimitReached() {
        SandboxProcess p = process;
        return p != null && p.pidsLimitReached();
    }

    long pid() {
        SandboxProcess p = process;
        return p == null ? -1 : p.pid();
    }

    long residentBytes() {
        SandboxProcess p = process;
        return p == null ? -1 : p.residentBytes();
    }

    /** Kills the process; pending invocations fail as crashes unless they already have answers. */
    void destroy() {
        handoff.add(STOP);
        SandboxProcess p = process;
        if (p != null) {
            p.destroy();
        }
        onClose.run();
        ready.completeExceptionally(new InitFailedException(
                ErrorDocument.failure(InvocationResult.Kind.CRASH, "Runtime.InstanceStopped",
                        "the instance was stopped before it was ready")));
    }

    private void exited(ExitStatus status) {
        InvocationResult.Failure failure = crashFailure(status);
        ready.completeExceptionally(new InitFailedException(failure));
        pending.values().forEach(f -> f.complete(failure));
        handoff.add(STOP);
        onClose.run();
        processGone.complete(null);
    }

    private InvocationResult.Failure crashFailure(ExitStatus status) {
        if (pidsLimitReached()) {
            return ErrorDocument.failure(InvocationResult.Kind.CRASH, "Runtime.PidsLimitExceeded",
                    "the instance exceeded its limit on processes and threads");
        }
        return switch (status) {
            case ExitStatus.OutOfMemory oom -> ErrorDocument.failure(InvocationResult.Kind.CRASH,
                    "Runtime.OutOfMemory", "the instance ran out of memory (limit " + oom.memoryMb() + " MB)");
            case ExitStatus.Exited exited -> ErrorDocument.failure(InvocationResult.Kind.CRASH,
                    "Runtime.ExitError", "the instance exited with status " + exited.code());
            case ExitStatus.Signaled signaled -> ErrorDocument.failure(InvocationResult.Kind.CRASH,
                    "Runtime.ExitError", "the instance was killed by signal " + signaled.signal());
            case ExitStatus.Destroyed destroyed -> ErrorDocument.failure(InvocationResult.Kind.CRASH,
                    "Runtime.InstanceStopped", "the instance was stopped");
        };
    }

    // --- RuntimeChannel: called on the Runtime API server's virtual threads ---

    @Override
    public String functionName() {
        return version.functionName();
    }

    @Override
    public PendingInvocation next() throws InterruptedException {
        if (!ready.isDone()) {
            readyNanos = System.nanoTime();
            ready.complete(null);
        }
        PendingInvocation invocation = handoff.take();
        if (invocation == STOP) {
            handoff.add(STOP); // keep it for any other poller of this instance
            return null;
        }
        return invocation;
    }

    @Override
    public Delivery respond(String requestId, byte[] payload) {
        return deliver(requestId, new InvocationResult.Success(payload));
    }

    @Override
    public Delivery error(String requestId, String errorType, byte[] errorJson) {
        return deliver(requestId, ErrorDocument.fromRuntime(InvocationResult.Kind.FUNCTION_ERROR, errorType, errorJson));
    }

    private Delivery deliver(String requestId, InvocationResult.Answer result) {
        CompletableFuture<InvocationResult.Answer> answer = pending.get(requestId);
        if (answer != null && answer.complete(result)) {
            return Delivery.ACCEPTED;
        }
        return answer != null || finished.contains(requestId) ? Delivery.ALREADY_ANSWERED : Delivery.UNKNOWN_ID;
    }

    @Override
    public void initError(String errorType, byte[] errorJson) {
        ready.completeExceptionally(new InitFailedException(
                ErrorDocument.fromRuntime(InvocationResult.Kind.INIT_ERROR, errorType, errorJson)));
    }

    /** The instance never became ready; carries the failure its first invocation reports. */
    static final class InitFailedException extends Exception {
        final InvocationResult.Failure failure;

        InitFailedException(InvocationResult.Failure failure) {
            super(failure.errorMessage(), null, false, false);
            this.failure = failure;
        }
    }
}
