package dev.cumulus.invoke;

import dev.cumulus.logs.InvocationLogLines;
import dev.cumulus.logs.LogStore;
import dev.cumulus.metering.InvocationRecord;
import dev.cumulus.metering.Meter;
import dev.cumulus.metering.Outcome;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InvocationRequest;
import dev.cumulus.scheduler.InvocationResult;
import dev.cumulus.scheduler.Scheduler;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one synchronous invocation end to end, records what it cost, and writes Lambda's
 * START/END/REPORT lines around the function's own in its log.
 */
public final class Invoker {
    private final FunctionRegistry registry;
    private final Scheduler scheduler;
    private final Meter meter;
    private final LogStore logs;
    private final Clock clock;
    private final Admission admission;

    /**
     * Whether a project may start one more invocation now (its rate limit, issue 11): throws the
     * API's answer (429) when not. Asked for every invocation but asynchronous deliveries, whose
     * events were bounded when they were accepted.
     */
    @FunctionalInterface
    public interface Admission {
        Admission UNLIMITED = project -> {};

        void admit(String project);
    }

    public Invoker(FunctionRegistry registry, Scheduler scheduler, Meter meter, LogStore logs, Clock clock) {
        this(registry, scheduler, meter, logs, clock, Admission.UNLIMITED);
    }

    private final InvocationCallers callers = new InvocationCallers();

    public Invoker(FunctionRegistry registry, Scheduler scheduler, Meter meter, LogStore logs, Clock clock,
            Admission admission) {
        this.admission = admission;
        this.registry = registry;
        this.scheduler = scheduler;
        this.meter = meter;
        this.logs = logs;
        this.clock = clock;
    }

    /**
     * A random (version 4) UUID, for invocations ({@link #invoke(Call)} mints them) and for other
     * ids that need only be unique (outbox events, routes, schedules). Request ids need to be unique, not secret (an instance can only
     * answer invocations on its own socket), so they come from a thread-local generator rather
     * than {@code UUID.randomUUID()}, whose SecureRandom reads /dev/urandom under a lock.
     */
    public static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    /**
     * Runs {@code call}: resolves its function in its project unless the caller already did,
     * settles its request id (the caller's, or a fresh one) and returns it with the result.
     *
     * @throws dev.cumulus.errors.ApiException if the function or version does not exist
     * @throws dev.cumulus.scheduler.ThrottledException when the function is saturated
     */
    public Invocation invoke(Call call) throws InterruptedException {
        Prepared prepared = prepare(call);
        try {
            Instant start = begin(prepared);
            return finish(prepared, start, scheduler.invoke(prepared.version, prepared.request));
        } finally {
            prepared.forget.run();
        }
    }

    /**
     * Starts {@code call} as {@link #invoke} runs it, and returns its invocation to come: once a
     * warm instance has a slot for it (at once, or after a wait in the function's queue on the
     * caller's thread) nothing waits for the function, and the invocation completes on the thread
     * that reads its answer (its END and REPORT lines and its metering record are written there
     * too); when it has to start an instance, the caller's thread waits as in {@link #invoke} and
     * gets a completed one. The same exceptions are thrown by this method, before anything started.
     */
    public CompletableFuture<Invocation> start(Call call) throws InterruptedException {
        Prepared prepared = prepare(call);
        CompletableFuture<InvocationResult> result;
        Instant start;
        try {
            start = begin(prepared);
            result = scheduler.start(prepared.version, prepared.request);
        } catch (InterruptedException | RuntimeException | Error e) {
            prepared.forget.run();
            throw e;
        }
        return result.handle((done, failed) -> {
            prepared.forget.run();
            if (failed != null) {
                throw failed instanceof CompletionException c ? c : new CompletionException(failed);
            }
            return finish(prepared, start, done);
        });
    }

    /** An invocation resolved, its request id settled and its caller registered, not started yet. */
    private record Prepared(FunctionVersion version, InvocationRequest request, Runnable forget) {}

    private Prepared prepare(Call call) {
        if (call.trigger() != Call.Trigger.ASYNC) {
            admission.admit(call.version() != null ? call.version().project() : call.project());
        }
        FunctionVersion version = call.version() != null ? call.version() : resolve(call.project(), call.qualifiedName());
        String requestId = call.requestId() != null ? call.requestId() : newRequestId();
        InvocationRequest request = new InvocationRequest(requestId, traceId(), call.payload(requestId),
                call.clientContext(), call.cognitoIdentity(), call.cloudEvent(requestId));
        // the verified caller, for the function to act as while this invocation runs (ADR 0035)
        Runnable forget = call.cognitoIdentity() == null ? NOTHING_TO_FORGET : callers.register(requestId,
                new InvocationCallers.Verified(version.project(), version.functionName(), call.cognitoIdentity()));
        return new Prepared(version, request, forget);
    }

    private static final Runnable NOTHING_TO_FORGET = () -> {};

    /** The end users verified for the invocations running now. */
    public InvocationCallers callers() {
        return callers;
    }

    /**
     * The version {@code name} or {@code name:qualifier} names in the default project.
     *
     * @throws dev.cumulus.errors.ApiException if the function or version does not exist
     */
    public FunctionVersion resolve(String qualifiedName) {
        return resolve(FunctionArns.DEFAULT_PROJECT, qualifiedName);
    }

    /**
     * The version {@code name} or {@code name:qualifier} names in {@code project}.
     *
     * @throws dev.cumulus.errors.ApiException if the function or version does not exist
     */
    public FunctionVersion resolve(String project, String qualifiedName) {
        int colon = qualifiedName.indexOf(':');
        String name = colon < 0 ? qualifiedName : qualifiedName.substring(0, colon);
        String qualifier = colon < 0 ? null : qualifiedName.substring(colon + 1);
        return registry.project(project).resolve(name, qualifier);
    }

    /** Writes the invocation's START line; returns when it started. */
    private Instant begin(Prepared prepared) {
        String requestId = prepared.request.requestId();
        Instant start = clock.instant();
        logs.append(prepared.version.project(), prepared.version.functionName(), null, requestId,
                InvocationLogLines.start(requestId, prepared.version.version()));
        return start;
    }

    /** Writes the END and REPORT lines and the metering record of a finished invocation. */
    private Invocation finish(Prepared prepared, Instant start, InvocationResult result) {
        FunctionVersion version = prepared.version;
        String requestId = prepared.request.requestId();
        String project = version.project();
        long billedMs = InvocationRecord.billedMillis(result.durationMicros());
        logs.appendLines(project, version.functionName(), result.instanceId(), requestId, InvocationLogLines.end(requestId),
                InvocationLogLines.report(requestId, result.durationMicros(), billedMs, version.config().memoryMb(),
                        result.initDurationMicros()));
        meter.record(InvocationRecord.builder()
                .requestId(requestId)
                .project(project)
                .functionName(version.functionName())
                .version(version.version())
                .start(start)
                .durationMicros(result.durationMicros())
                .billedMs(billedMs)
                .memoryMb(version.config().memoryMb())
                .coldStart(result.coldStart())
                .initDurationMicros(result.initDurationMicros())
                .outcome(outcome(result.answer()))
                .build());
        return switch (result.answer()) {
            case InvocationResult.Success s -> new Invocation(requestId, version.functionName(), version.version(),
                    s.payload(), null, result.coldStart(), billedMs);
            case InvocationResult.Failure f -> new Invocation(requestId, version.functionName(), version.version(),
                    f.errorJson(), f, result.coldStart(), billedMs);
        };
    }

    private static Outcome outcome(InvocationResult.Answer answer) {
        return switch (answer) {
            case InvocationResult.Success s -> Outcome.SUCCESS;
            case InvocationResult.Failure f -> switch (f.kind()) {
                case FUNCTION_ERROR, INIT_ERROR -> Outcome.ERROR;
                case TIMEOUT -> Outcome.TIMEOUT;
                case CRASH -> Outcome.CRASH;
            };
        };
    }

    /** An X-Ray-style trace header, so runtimes that expect one find it. */
    public static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // hex by hand: String.format parses its pattern on every call, and this runs on every invocation
        StringBuilder trace = new StringBuilder(56).append("Root=1-")
                .append(Long.toHexString(System.currentTimeMillis() / 1000)).append('-');
        hex(trace, random.nextInt() & 0xFFFFFFFFL, 8);
        hex(trace, random.nextLong(), 16);
        return trace.append(";Sampled=0").toString();
    }

    private static void hex(StringBuilder into, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            into.append(Character.forDigit((int) (value >>> shift) & 0xF, 16));
        }
    }
}
