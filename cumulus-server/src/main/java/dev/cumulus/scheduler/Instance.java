package dev.cumulus.scheduler;

import dev.cumulus.logs.InvocationOutputBudget;
import dev.cumulus.logs.RequestTag;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.Delivery;
import dev.cumulus.runtimeapi.PendingInvocation;
import dev.cumulus.runtimeapi.RuntimeChannel;
import dev.cumulus.sandbox.ExitStatus;
import dev.cumulus.sandbox.SandboxProcess;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandboxed process serving one function revision, and the platform side of its Runtime API.
 * Its lifecycle state is guarded by the owning {@link InstancePool}'s lock; the invocation
 * hand-off here is lock-free so a busy instance never blocks its pool.
 */
final class Instance implements RuntimeChannel {
    private static final Logger LOG = LoggerFactory.getLogger(Instance.class);

    final String id;
    final FunctionVersion version;
    /** The invoked function's ARN every event carries: the same for the instance's whole life. */
    private final String functionArn;
    final long launchedNanos = System.nanoTime();
    private final Scheduler.LogSink logs;
    private static final String REDACTED = "***";
    /** Secret values to hide in log lines; written before the process starts, read by its log pump. */
    private volatile List<String> redacted = List.of();

    // guarded by the pool's lock (read without it only to end a start turn that came late)
    volatile InstanceState state = InstanceState.STARTING;
    int inFlight;
    /** When it last became idle (System.nanoTime): the longest idle leave first. */
    long idleSinceNanos;
    /** While idle, when its keep-alive ends (System.nanoTime). */
    long keepUntilNanos;
    /** When its armed keep-alive timer fires (System.nanoTime), 0 when none is armed. */
    long expiryTimerNanos;

    private volatile SandboxProcess process;
    private volatile Runnable onClose = () -> {};
    private volatile String currentRequestId;
    /** Minted when the instance gets its function's environment; gone once it stops (ADR 0039). */
    private volatile dev.cumulus.auth.SessionCredentials session;
    private volatile long readyNanos;
    /** Its turn at the start gate while it starts from nothing; null for a specialised cell. */
    private volatile StartGate.Ticket startTurn;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Completes when the process has exited, whoever ended it; lets the pool notice an idle crash. */
    final CompletableFuture<Void> processGone = new CompletableFuture<>();
    /**
     * The hand-off between callers and the runtime's long polls: events no poll waits for yet, and
     * polls no event has come for yet (one of the two is always empty). Guarded by itself.
     */
    private final ArrayDeque<PendingInvocation> queued = new ArrayDeque<>();
    private final ArrayDeque<Poll> polls = new ArrayDeque<>();
    /** Set once the instance is being stopped: polls are answered 410 from then on. Guarded by {@link #queued}. */
    private boolean stopping;
    private final Map<String, CompletableFuture<InvocationResult.Answer>> pending = new ConcurrentHashMap<>();
    /** Each invocation's share of the log; used by the instance's two output readers, under its own lock ({@link #output}). */
    private final InvocationOutputBudget outputBudget;
    /** Recently answered ids, so a second answer gets Lambda's 403 rather than "unknown id". */
    private final RecentIds finished = new RecentIds(64);

    Instance(String id, FunctionVersion version, Scheduler.LogSink logs, String region) {
        this.id = id;
        this.version = version;
        this.logs = logs;
        this.outputBudget = new InvocationOutputBudget(InvocationOutputBudget.MAX_CHARS_PER_INVOCATION,
                version.config().concurrency());
        this.functionArn = FunctionArns.function(region, version.project(), version.functionName(),
                version.version());
    }

    void attach(SandboxProcess process, Runnable onClose) {
        this.process = process;
        this.onClose = onClose;
        process.onExit().thenAccept(this::exited);
    }

    /** Holds its turn at the start gate while STARTING; the pool ends it when the instance leaves that state. */
    void holdTurn(StartGate.Ticket turn) {
        startTurn = turn;
        if (state != InstanceState.STARTING) { // left STARTING meanwhile (destroyed): nobody else ends it
            endTurn();
        }
    }

    /** Gives the start gate its turn back: the instance is ready, or gone. Again is harmless. */
    void endTurn() {
        StartGate.Ticket turn = startTurn;
        if (turn != null) {
            turn.close();
        }
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
     *
     * @throws NotDeliveredException if the process ended before its runtime took the event: the
     *     function never saw it, so the caller may run it elsewhere
     */
    InvocationResult.Answer invoke(InvocationRequest request, long deadlineNanos, long deadlineEpochMs, String token,
            DeadlineWatcher deadlines) throws InterruptedException, NotDeliveredException {
        CompletableFuture<InvocationResult.Answer> answer = send(request, deadlineNanos, deadlineEpochMs, token, deadlines);
        try {
            InvocationResult.Answer result = answer.get();
            if (result == NOT_DELIVERED) {
                throw new NotDeliveredException();
            }
            return result;
        } catch (ExecutionException e) {
            throw new IllegalStateException("answers are never completed exceptionally", e.getCause());
        } finally {
            forget(request.requestId(), answer, deadlines);
        }
    }

    /**
     * Hands one event to the runtime without waiting: the answer completes on the thread that
     * learns it (the one reading the runtime's result, the deadline watcher, the exit watcher),
     * after this instance has forgotten the event. {@link #notDelivered} tells an answer of a
     * process that ended before its runtime took the event.
     */
    CompletableFuture<InvocationResult.Answer> start(InvocationRequest request, long deadlineNanos,
            long deadlineEpochMs, String token, DeadlineWatcher deadlines) {
        CompletableFuture<InvocationResult.Answer> answer = send(request, deadlineNanos, deadlineEpochMs, token, deadlines);
        return answer.whenComplete((result, never) -> forget(request.requestId(), answer, deadlines));
    }

    /** Whether {@code answer} says the event never reached the function (the caller may place it again). */
    static boolean notDelivered(InvocationResult.Answer answer) {
        return answer == NOT_DELIVERED;
    }

    /** Registers the event as pending, watches its deadline and hands it over: its answer to come. */
    private CompletableFuture<InvocationResult.Answer> send(InvocationRequest request, long deadlineNanos,
            long deadlineEpochMs, String token, DeadlineWatcher deadlines) {
        String requestId = request.requestId();
        CompletableFuture<InvocationResult.Answer> answer = new CompletableFuture<>();
        pending.put(requestId, answer);
        deadlines.watch(deadlineNanos, answer, () -> timedOut(requestId));
        currentRequestId = requestId;
        handOver(new PendingInvocation(
                requestId, deadlineEpochMs, functionArn, request.traceId(), request.payload(),
                request.clientContext(), request.cognitoIdentity(), request.cloudEvent(), token));
        return answer;
    }

    private void forget(String requestId, CompletableFuture<InvocationResult.Answer> answer, DeadlineWatcher deadlines) {
        finished.add(requestId);
        pending.remove(requestId);
        deadlines.unwatch(answer);
    }

    /**
     * Writes {@code event} into a waiting poll on this (the caller's) thread, or queues it for the
     * next poll. A poll that turns out to be gone is skipped: the event never left the node.
     */
    private void handOver(PendingInvocation event) {
        while (true) {
            Poll poll;
            synchronized (queued) {
                poll = stopping ? null : polls.pollFirst();
                if (poll == null) {
                    // a stopping instance keeps it: its exit reports it as never delivered
                    queued.addLast(event);
                    return;
                }
            }
            if (poll.answer(event)) {
                return;
            }
        }
    }

    /** Answers every waiting poll with 410 and every later one too: the instance is being stopped. */
    private void stopPolls() {
        session = null; // a stopping instance's credentials are refused already
        List<Poll> waiting;
        synchronized (queued) {
            stopping = true;
            waiting = List.copyOf(polls);
            polls.clear();
        }
        waiting.forEach(poll -> poll.answer(null));
    }

    /** The answer of an event whose instance died before taking it; never shown to a caller. */
    private static final InvocationResult.Failure NOT_DELIVERED = ErrorDocument.failure(
            InvocationResult.Kind.CRASH, "Runtime.NotDelivered", "the instance ended before it took the event");

    private InvocationResult.Failure timedOut(String requestId) {
        String message = "Task timed out after " + version.config().timeoutSeconds() + " seconds";
        InvocationResult.Failure failure = ErrorDocument.failure(InvocationResult.Kind.TIMEOUT, "Timeout", message);
        logFailure(requestId, failure);
        return failure;
    }

    boolean pidsLimitReached() {
        SandboxProcess p = process;
        return p != null && p.pidsLimitReached();
    }

    long pid() {
        SandboxProcess p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * Says in the function's own log, for {@code requestId}, how the node saw it fail: what the
     * 502 points to, and all there is when the instance died before the function could log.
     */
    void logFailure(String requestId, InvocationResult.Failure failure) {
        log(requestId, "cumulus: RequestId: " + requestId + " Error: " + failure.errorMessage() + " ("
                + failure.errorType() + ")");
    }

    /**
     * Makes {@code values} (the secrets this instance started with) unreadable in every line it
     * logs from now on; set once, before the process starts.
     */
    void redact(java.util.Collection<String> values) {
        // longest first, so a secret that contains another is replaced whole
        redacted = values.stream().filter(v -> !v.isEmpty()).distinct()
                .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * Writes one line of this instance's log, with every secret value of its function replaced by
     * {@code ***}: its output, and the node's lines about it (an error message may quote one).
     */
    private void log(String requestId, String line) {
        logs.line(version.project(), version.functionName(), id, requestId, hide(line));
    }

    /**
     * Files one line of the instance's output: under the request its runtime tagged it with
     * ({@link RequestTag}; the Java runtime tags every line an invocation writes), else under the
     * invocation that started last here (exact at concurrency 1 until the next one starts, a guess
     * above). Secrets are hidden, then the invocation's output budget applies. Called by the
     * instance's output reader (the pipe) and its frame reader (tagged lines of the Java runtime,
     * docs/adr/0054), each one line at a time.
     */
    @Override
    public void output(String line) {
        String requestId;
        String text;
        int tagEnd = RequestTag.end(line);
        if (tagEnd > 0) {
            requestId = RequestTag.requestId(line, tagEnd);
            text = RequestTag.text(line, tagEnd);
        } else {
            requestId = currentRequestId;
            text = line;
        }
        // hidden before the budget may cut the line: a cut must not leave part of a secret
        String shown = hide(text);
        String kept;
        synchronized (outputBudget) { // two readers file lines: the pipe's and the frame connection's
            kept = outputBudget.admit(requestId, shown);
        }
        if (kept != null) {
            logs.line(version.project(), version.functionName(), id, requestId, kept);
        }
    }

    /** {@code line} with every secret value of the function replaced by {@code ***}. */
    private String hide(String line) {
        String shown = line;
        for (String secret : redacted) {
            shown = shown.replace(secret, REDACTED);
        }
        return shown;
    }

    /** False once the process has ended, even before the pool has heard of it. */
    boolean isAlive() {
        SandboxProcess p = process;
        return p == null || p.isAlive();
    }

    long residentBytes() {
        SandboxProcess p = process;
        return p == null ? -1 : p.residentBytes();
    }

    /** Kills the process; pending invocations fail as crashes unless they already have answers. */
    void destroy() {
        stopPolls();
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
        session = null;
        InvocationResult.Failure failure = crashFailure(status);
        boolean unasked = !(status instanceof ExitStatus.Destroyed);
        if (unasked) {
            LOG.warn("instance {} of {}:{} (pid {}) ended without being stopped: {} ({})", id,
                    version.functionName(), version.version(), pid(), failure.errorMessage(), failure.errorType());
        }
        ready.completeExceptionally(new InitFailedException(failure));
        boolean told = false;
        for (var entry : pending.entrySet()) {
            String requestId = entry.getKey();
            // an event still queued (no poll took it) never reached the function
            boolean taken;
            synchronized (queued) {
                taken = !queued.removeIf(event -> event.requestId().equals(requestId));
            }
            if (!taken) {
                entry.getValue().complete(NOT_DELIVERED);
            } else if (entry.getValue().complete(failure)) {
                logFailure(requestId, failure);
                told = true;
            }
        }
        if (unasked && !told) {
            // an idle instance died: the function's own log says so, not only the node's
            log(null, "cumulus: instance " + id + " ended while idle: " + failure.errorMessage() + " ("
                    + failure.errorType() + ")");
        }
        stopPolls();
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
    public String project() {
        return version.project();
    }

    @Override
    public String role() {
        return version.config().role();
    }

    @Override
    public dev.cumulus.auth.SessionCredentials session() {
        return session;
    }

    @Override
    public java.util.Set<String> runningRequestIds() {
        return java.util.Set.copyOf(pending.keySet());
    }

    /** Mints this instance's session credentials (ADR 0039); their secrets never reach its log. */
    dev.cumulus.auth.SessionCredentials mintSession() {
        dev.cumulus.auth.SessionCredentials minted = dev.cumulus.auth.SessionCredentials.mint();
        List<String> hidden = new java.util.ArrayList<>(redacted);
        hidden.addAll(List.of(minted.secretAccessKey(), minted.sessionToken()));
        redact(hidden);
        session = minted;
        return minted;
    }

    @Override
    public int concurrency() {
        return version.config().concurrency();
    }

    @Override
    public void poll(Poll poll) {
        if (!ready.isDone()) {
            readyNanos = System.nanoTime();
            ready.complete(null);
        }
        PendingInvocation event;
        synchronized (queued) {
            if (stopping) {
                event = null;
            } else {
                event = queued.pollFirst();
                if (event == null) {
                    polls.addLast(poll); // the next caller writes into it
                    return;
                }
            }
        }
        if (!poll.answer(event) && event != null) {
            handOver(event); // the poll was gone: the event waits for the next one
        }
    }

    /** Polls of the runtime waiting for an invocation now. */
    int waitingPolls() {
        synchronized (queued) {
            return polls.size();
        }
    }

    @Override
    public void abandon(Poll poll) {
        synchronized (queued) {
            polls.remove(poll);
        }
    }

    /** The blocking form, for callers outside the Runtime API server: waits in a poll of its own. */
    @Override
    public PendingInvocation next() throws InterruptedException {
        CompletableFuture<PendingInvocation> answer = new CompletableFuture<>();
        Poll poll = answer::complete;
        poll(poll);
        try {
            return answer.get();
        } catch (InterruptedException e) {
            abandon(poll);
            if (!answer.complete(null) && answer.getNow(null) != null) {
                handOver(answer.getNow(null)); // handed over as this thread gave up: to the next poll
            }
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("polls are never completed exceptionally", e.getCause());
        }
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
