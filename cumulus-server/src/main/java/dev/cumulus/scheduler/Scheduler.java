package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.aot.AotCache;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.registry.MountGuard;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.sandbox.Sandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs invocations on instances: one {@link InstancePool} per function revision, a node-wide
 * limit on live instances, keep-alive timers and pre-warms as the {@link KeepAlivePolicy} plans
 * them, provisioned concurrency, and the rules for what survives a failure.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    /**
     * Settings of the scheduler, fixed at node start.
     *
     * @param stemCells stem cells kept per memory size in demand; 0 turns them off
     * @param defaultMemoryMb the memory size whose stem cells are always kept
     * @param region what instances see as {@code AWS_REGION}
     */
    public record Settings(int maxInstances, int queueDepth, Duration queueTimeout, Duration startTimeout,
            int stemCells, int defaultMemoryMb, String region) {}

    private final Settings settings;
    private final KeepAlivePolicy keepAlive;
    private final LogSink logs;
    private final InstanceGrants grants;
    private final InstanceLauncher launcher;
    private final DeadlineWatcher deadlines = new DeadlineWatcher();
    private final StemCells stemCells;
    private final Function<FunctionVersion, Path> codeDirectory;
    /** Starts from nothing, a few per core at a time (ADR 0044). */
    private final StartGate startGate = StartGate.perCore(Runtime.getRuntime().availableProcessors());
    private final Clock clock;
    private final Semaphore nodeSlots;
    /** Instances per project, against each project's quota; apart from the node's slots. */
    private final ProjectInstances projectInstances;
    private final Map<String, InstancePool> pools = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timers =
            new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("keep-alive").daemon().factory());
    private final AtomicLong instanceIds = new AtomicLong();
    /** Schedulers started in this JVM; tests run several nodes in one. */
    private static final AtomicLong SCHEDULERS = new AtomicLong();
    /**
     * Prefix of instance ids, which also name cgroups shared by the whole host: the JVM's pid,
     * and for a second node in the same JVM its number, so no two nodes' ids ever collide.
     */
    private final String nodeTag = Long.toString(ProcessHandle.current().pid(), 36)
            + Optional.of(SCHEDULERS.incrementAndGet()).filter(n -> n > 1).map(n -> "." + n).orElse("");
    private final Hooks hooks = new Hooks();
    /** Process teardown takes milliseconds; it never runs on an invocation's thread. */
    private final java.util.concurrent.ExecutorService destroyers = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Instances that stop one at a time while the node serves: a killed JVM frees its memory as it
     * exits, and a burst's surplus all reaching their keep-alive together held the instances still
     * serving for tens of ms (issue 12). Closing the node lifts it (see {@link #close(Duration)}).
     */
    private final Semaphore exits = new Semaphore(1);
    /** How long a stop waits for its turn before it goes ahead anyway. */
    private static final Duration EXIT_TURN_WAIT = Duration.ofSeconds(1);
    private final AtomicInteger stopping = new AtomicInteger();
    private volatile boolean closing;
    /** Instances started without an invocation (provisioned, pre-warmed) start here. */
    private final java.util.concurrent.ExecutorService starters = Executors.newVirtualThreadPerTaskExecutor();
    private static final Duration PROVISION_RETRY = Duration.ofSeconds(5);
    /**
     * How many instances one invocation may be placed on when the earlier ones died before the
     * function saw the event (never after: a function is never run twice for one sync call).
     */
    private static final int MAX_PLACEMENTS = 3;
    /**
     * How far back the peak concurrency that decides how many idle instances a function keeps is
     * taken (Knative's stable window): a burst's surplus leaves this long after the burst, not
     * after each instance's keep-alive. The check runs six times per window.
     */
    static final Duration STABLE_WINDOW = Duration.ofSeconds(60);

    public Scheduler(Settings settings, KeepAlivePolicy keepAlive, Sandbox sandbox, RuntimeApiServer runtimeApi,
            Path runtimeJar, Path javaHome, Path socketRoot, Path cellRoot, Function<FunctionVersion, Path> codeDirectory,
            MountGuard mounts, LogSink logs, AotCache aot, InstanceGrants grants,
            ToLongFunction<String> projectInstanceLimit, Clock clock) {
        this.settings = settings;
        this.projectInstances = new ProjectInstances(projectInstanceLimit);
        this.grants = grants;
        this.keepAlive = keepAlive;
        this.logs = logs;
        this.clock = clock;
        this.nodeSlots = new Semaphore(settings.maxInstances());
        this.codeDirectory = codeDirectory;
        this.launcher = new InstanceLauncher(sandbox, runtimeApi, runtimeJar, javaHome, socketRoot, cellRoot, mounts,
                codeDirectory, logs, aot, grants, settings.region());
        this.stemCells = new StemCells(settings.stemCells(), settings.defaultMemoryMb(), launcher,
                nodeSlots::tryAcquire, this::releaseNodeSlot, hooks::newInstanceId);
        stemCells.fill();
        long tick = STABLE_WINDOW.toMillis() / 6;
        timers.scheduleWithFixedDelay(this::stopSurplus, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Timers armed now: keep-alive expiries (at most one per idle instance), pre-warms, retries and
     * the surplus check. A diagnostic; tests hold it against the number of instances.
     */
    public int timersArmed() {
        return timers.getQueue().size();
    }

    /** Instances being stopped now (killed, their exit awaited); one at a time unless the node is closing. */
    public int instancesStopping() {
        return stopping.get();
    }

    /** Where instance output goes: project, function, instance, the request it belongs to (or null), the line. */
    public interface LogSink {
        void line(String project, String functionName, String instanceId, String requestId, String line);
    }

    /**
     * Runs one invocation to its end: on a warm instance, on a new one, or after waiting for a slot.
     *
     * @throws ThrottledException when the function stays at its limits beyond the wait queue
     */
    public InvocationResult invoke(FunctionVersion version, InvocationRequest request) throws InterruptedException {
        keepAlive.arrived(functionKey(version.project(), version.functionName()), clock.instant());
        return place(version, request, 1, null);
    }

    /**
     * Starts one invocation and returns its result to come. On a running instance with a free
     * slot, now or after a wait in the function's queue, the event is handed over on the caller's
     * thread and the result completes on the thread that reads the answer: nothing waits for it
     * (issue 12's warm path). When the invocation has to start an instance, the caller's thread
     * does what {@link #invoke} does and gets a completed result; a throttle is thrown as there.
     * An event whose instance ended before taking it is placed again on a virtual thread of its own.
     *
     * @throws ThrottledException when the function stays at its limits beyond the wait queue
     */
    public CompletableFuture<InvocationResult> start(FunctionVersion version, InvocationRequest request)
            throws InterruptedException {
        keepAlive.arrived(functionKey(version.project(), version.functionName()), clock.instant());
        InstancePool pool = pool(version);
        Instance instance = pool.acquireWarm();
        if (instance == null) {
            // the queue's wait is the caller's, as in invoke; a warm slot it ends with is handed
            // over as above, so the caller does not wait a second time, for the answer (ADR 0055)
            InstancePool.Lease lease = pool.acquire(settings.queueDepth(), settings.queueTimeout());
            if (lease == null || lease.mustStart()) { // retired meanwhile, or a start: invoke's way
                return CompletableFuture.completedFuture(place(version, request, 1, lease));
            }
            instance = lease.instance();
        }
        return handOver(pool, instance, version, request);
    }

    /** {@link #start} on a slot of {@code instance} taken from {@code pool}: the result completes on the answer's thread. */
    private CompletableFuture<InvocationResult> handOver(InstancePool pool, Instance instance, FunctionVersion version,
            InvocationRequest request) {
        long started = System.nanoTime();
        CompletableFuture<InvocationResult.Answer> delivered;
        try {
            delivered = deliver(version, request, instance, started);
        } catch (RuntimeException | Error e) {
            // whether the event left is unknown: the instance goes, as when a caller gives up
            pool.release(instance, false, Duration.ZERO);
            throw e;
        }
        return delivered.thenCompose(answer -> {
            if (Instance.notDelivered(answer)) {
                placingAgain(pool, instance, version, request);
                CompletableFuture<InvocationResult> again = new CompletableFuture<>();
                Thread.ofVirtual().name("place-" + request.requestId()).start(() -> {
                    try {
                        again.complete(place(version, request, 2, null));
                    } catch (Throwable e) {
                        again.completeExceptionally(e);
                    }
                });
                return again;
            }
            return CompletableFuture.completedFuture(settle(pool, instance, version, request, answer, started, false, 0));
        });
    }

    private CompletableFuture<InvocationResult.Answer> deliver(FunctionVersion version, InvocationRequest request,
            Instance instance, long started) {
        Handover at = handover(version, request, started);
        return instance.start(request, at.deadlineNanos(), at.deadlineEpochMs(), at.token(), deadlines);
    }

    /** When an invocation handed over at {@code started} times out, and the credentials it runs with. */
    private record Handover(long deadlineNanos, long deadlineEpochMs, String token) {}

    private Handover handover(FunctionVersion version, InvocationRequest request, long started) {
        long timeoutNanos = TimeUnit.SECONDS.toNanos(version.config().timeoutSeconds());
        long deadlineEpochMs = clock.millis() + TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
        return new Handover(started + timeoutNanos, deadlineEpochMs,
                grants.token(version, request.requestId(), Instant.ofEpochMilli(deadlineEpochMs)));
    }

    /** An instance ended before its runtime took {@code request}'s event: it goes, and the event is placed again. */
    private void placingAgain(InstancePool pool, Instance instance, FunctionVersion version, InvocationRequest request) {
        pool.release(instance, false, Duration.ZERO);
        LOG.warn("instance {} of {} ended before it took request {}; placing it again",
                instance.id, version.functionName(), request.requestId());
    }

    /** The result of an answered invocation, its instance's slot given back (or the instance given up). */
    private InvocationResult settle(InstancePool pool, Instance instance, FunctionVersion version,
            InvocationRequest request, InvocationResult.Answer reported, long started, boolean cold, long initMicros) {
        long durationMicros = (System.nanoTime() - started) / 1_000;
        InvocationResult.Answer answer = checkHealth(instance, reported);
        if (answer != reported && answer instanceof InvocationResult.Failure f) {
            instance.logFailure(request.requestId(), f);
        }
        pool.release(instance, survives(answer), idleFor(pool, version));
        return new InvocationResult(answer, instance.id, cold, initMicros, durationMicros);
    }

    /**
     * {@link #invoke}'s placement from its {@code firstAttempt} on (an event not delivered is
     * placed again); its first attempt uses {@code leased}, a lease the caller took already, when
     * there is one.
     */
    private InvocationResult place(FunctionVersion version, InvocationRequest request, int firstAttempt,
            InstancePool.Lease leased) throws InterruptedException {
        boolean cellsAllowed = true;
        for (int attempt = firstAttempt; ; attempt++) {
            boolean lastAttempt = attempt == MAX_PLACEMENTS;
            InstancePool pool = leased != null ? leased.pool() : pool(version);
            InstancePool.Lease lease = leased != null ? leased
                    : pool.acquire(settings.queueDepth(), settings.queueTimeout());
            leased = null;
            if (lease == null) {
                // retired by a concurrent update or delete: this invocation already resolved its
                // version, so it runs on a fresh pool whose instances expire with their keep-alive
                pools.remove(poolKey(version), pool);
                attempt--;
                continue;
            }
            Instance instance = lease.instance();
            long initMicros = 0;
            if (lease.mustStart()) {
                boolean fromCell = false;
                try {
                    fromCell = start(instance, cellsAllowed);
                    initMicros = instance.awaitReady(settings.startTimeout().toNanos());
                    pool.started(instance);
                } catch (IOException e) {
                    LOG.error("cannot start an instance of {}", version.functionName(), e);
                    pool.release(instance, false, Duration.ZERO);
                    return failed(instance, true, ErrorDocument.failure(InvocationResult.Kind.CRASH,
                            "Runtime.StartFailed", "the instance could not be started: " + e.getMessage()));
                } catch (TimeoutException e) {
                    pool.release(instance, false, Duration.ZERO);
                    return failed(instance, true, ErrorDocument.failure(InvocationResult.Kind.CRASH,
                            "Runtime.StartTimeout", "the instance did not start within " + settings.startTimeout()));
                } catch (InterruptedException e) {
                    // the caller gave up (its thread is being stopped) while the instance starts:
                    // the instance goes, or its slot stays taken by a STARTING nobody waits for
                    pool.release(instance, false, Duration.ZERO);
                    throw e;
                } catch (Instance.InitFailedException e) {
                    pool.release(instance, false, Duration.ZERO);
                    if (fromCell && e.failure.kind() == InvocationResult.Kind.CRASH && !lastAttempt) {
                        // the cell's process ended (killed from outside, or gone before it was
                        // taken): the caller should not pay for it; a start from nothing follows
                        LOG.warn("stem cell for {} ended before its function started ({}); starting from nothing",
                                version.functionName(), e.failure.errorMessage());
                        cellsAllowed = false;
                        continue;
                    }
                    return failed(instance, true, e.failure);
                }
            }
            long started = System.nanoTime();
            InvocationResult.Answer answer;
            try {
                Handover at = handover(version, request, started);
                answer = instance.invoke(request, at.deadlineNanos(), at.deadlineEpochMs(), at.token(), deadlines);
            } catch (InterruptedException | RuntimeException | Error e) {
                // the caller gave up, or the hand-over failed: the instance goes rather than keep a
                // slot taken for good (or free one whose event may still run)
                pool.release(instance, false, Duration.ZERO);
                throw e;
            } catch (NotDeliveredException e) {
                if (!lastAttempt) {
                    placingAgain(pool, instance, version, request);
                    continue;
                }
                pool.release(instance, false, Duration.ZERO);
                return failed(instance, lease.mustStart(), ErrorDocument.failure(InvocationResult.Kind.CRASH,
                        "Runtime.ExitError", "every instance tried ended before it took the event"));
            }
            return settle(pool, instance, version, request, answer, started, lease.mustStart(), initMicros);
        }
    }

    private InstancePool pool(FunctionVersion version) {
        return pools.computeIfAbsent(poolKey(version), k -> new InstancePool(version, hooks));
    }

    /** The JVM flags of an instance of {@code memoryMb}, without any AOT cache: what caches are trained with. */
    public static java.util.List<String> instanceJvmFlags(int memoryMb) {
        return InstanceLauncher.jvmFlags(memoryMb);
    }

    /**
     * From a stem cell of the right size when one is waiting (and {@code cellsAllowed}), else from
     * nothing. Cells are Java runtimes, so a {@code provided} function always starts from nothing.
     *
     * @return whether the instance is a specialised cell
     */
    private boolean start(Instance instance, boolean cellsAllowed) throws IOException, InterruptedException {
        // cells are Java runtimes, and a cell's sandbox is built before its function is known, so
        // it cannot gain mounts or a network: such functions start from nothing
        StemCell cell = !cellsAllowed || InstanceLauncher.isProvided(instance.version.config())
                || !instance.version.config().mounts().isEmpty()
                || instance.version.config().egress().mode() != dev.cumulus.sandbox.Egress.Mode.NONE
                ? null
                : stemCells.take(instance.version.config().memoryMb(), codeDirectory.apply(instance.version));
        if (cell != null) {
            try {
                launcher.specialise(cell, instance);
                return true;
            } catch (IOException | RuntimeException e) {
                LOG.warn("stem cell {} could not be specialised; starting from nothing", cell.id(), e);
                cell.destroy();
            }
        }
        // a start from nothing waits for its turn at the gate; the pool ends the turn when the
        // instance leaves STARTING (ready, failed, destroyed)
        StartGate.Ticket turn = startGate.enter();
        try {
            launcher.launch(instance);
        } catch (IOException | RuntimeException e) {
            turn.close();
            throw e;
        }
        instance.holdTurn(turn);
        return false;
    }

    /** The use of the gate that starts from nothing pass (ADR 0044). */
    public StartGate.Stats startGate() {
        return startGate.stats();
    }

    /** Stem cells that served a cold start, and cold starts that found none. */
    public long stemCellHits() {
        return stemCells.hits();
    }

    public long stemCellMisses() {
        return stemCells.misses();
    }

    /** Stem cells of {@code memoryMb} waiting for a function right now. */
    public int waitingStemCells(int memoryMb) {
        return stemCells.waitingCells(memoryMb);
    }

    /** Host pids of those cells (the outer bwrap process of each), for diagnostics. */
    public java.util.List<Long> waitingStemCellPids(int memoryMb) {
        return stemCells.waitingPids(memoryMb);
    }

    private void releaseNodeSlot() {
        nodeSlots.release();
        pools.values().stream().filter(InstancePool::hasWaiters).forEach(InstancePool::nudge);
    }

    /** Wakes the project's waiting invocations when it may have room again under its quota. */
    private void nudgeProject(String project) {
        if (projectInstances.limit(project) == ProjectInstances.UNLIMITED) {
            return;
        }
        pools.values().stream().filter(p -> p.hasWaiters() && project.equals(p.version().project()))
                .forEach(InstancePool::nudge);
    }

    /** Instances {@code project} runs now, whatever their state: what its quota counts. */
    public int projectInstances(String project) {
        return projectInstances.count(project);
    }

    /** Why a pool may or may not start one more instance. */
    enum Reservation {
        GRANTED,
        /** The project runs its quota of instances and none of its other functions has an idle one. */
        PROJECT_FULL,
        /** The node runs its maximum of instances and nobody has an idle one to hand over. */
        NODE_FULL
    }

    /**
     * How long an instance going idle now is kept; schedules the pre-warm when the policy plans
     * to stop it early and start one again before the next predicted invocation.
     */
    private Duration idleFor(InstancePool pool, FunctionVersion version) {
        Instant now = clock.instant();
        KeepAlivePolicy.Plan plan = keepAlive.idle(functionKey(version.project(), version.functionName()),
                version.config(), now);
        if (plan.prewarms() && !timers.isShutdown()) {
            long token = pool.planPrewarm();
            timers.schedule(() -> prewarm(pool, token, plan.prewarmUntil()),
                    Math.max(0, Duration.between(now, plan.prewarmAt()).toMillis()), TimeUnit.MILLISECONDS);
        }
        return plan.keepUntil().isAfter(now) ? Duration.between(now, plan.keepUntil()) : Duration.ZERO;
    }

    /** Stops, in every pool, the idle instances its recent concurrency does not need. */
    private void stopSurplus() {
        try {
            long now = System.nanoTime();
            for (InstancePool pool : pools.values()) {
                pool.takeSurplus(now).forEach(hooks::destroy);
            }
        } catch (RuntimeException e) {
            // a periodic task that throws is never run again: log and keep the schedule
            LOG.error("stopping surplus instances failed", e);
        }
    }

    private void prewarm(InstancePool pool, long token, Instant until) {
        Instance instance = pool.reservePrewarm(token);
        if (instance != null) {
            starters.execute(() -> warmUp(pool, instance, until));
        }
    }

    /**
     * Keeps at least {@code latest.config().provisionedConcurrency()} instances of the function's
     * current {@code $LATEST} warm, starting the missing ones in the background. Called after a
     * deploy or update (after {@link #retireStaleLatest}) and for every function at node start.
     */
    public void provision(FunctionVersion latest) {
        if (!latest.version().equals(FunctionVersion.LATEST)) {
            return;
        }
        int wanted = latest.config().provisionedConcurrency();
        InstancePool pool = wanted == 0 ? pools.get(poolKey(latest)) : pool(latest);
        if (pool != null) {
            pool.provision(wanted);
            fillProvisioned(pool);
        }
    }

    private void fillProvisioned(InstancePool pool) {
        Instance instance;
        while ((instance = pool.reserveProvisioned()) != null) {
            Instance starting = instance;
            starters.execute(() -> warmUp(pool, starting, null));
        }
    }

    /**
     * Starts an instance that no invocation waits for. A pre-warmed one expires at {@code until}
     * unless used; a provisioned one ({@code until} null) has no expiry, the pool's floor keeps it.
     */
    private void warmUp(InstancePool pool, Instance instance, Instant until) {
        boolean ready = false;
        try {
            start(instance, true);
            instance.awaitReady(settings.startTimeout().toNanos());
            ready = true;
        } catch (IOException | TimeoutException | Instance.InitFailedException e) {
            LOG.warn("cannot warm up an instance of {}: {}", instance.version.functionName(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Instant now = clock.instant();
        pool.warmed(instance, ready, until == null ? null : until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO);
        if (!ready && until == null && !timers.isShutdown()) {
            // a function that cannot start would otherwise be restarted in a tight loop
            timers.schedule(() -> fillProvisioned(pool), PROVISION_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * An error that left the instance in an unknown state is reported as what it really was:
     * a thread or process refused by the pids limit, or a heap exhausted.
     */
    private static InvocationResult.Answer checkHealth(Instance instance, InvocationResult.Answer answer) {
        if (answer instanceof InvocationResult.Failure f && f.kind() == InvocationResult.Kind.FUNCTION_ERROR) {
            if (instance.pidsLimitReached()) {
                return ErrorDocument.failure(InvocationResult.Kind.CRASH, "Runtime.PidsLimitExceeded",
                        "the function exceeded its limit on processes and threads: " + f.errorMessage());
            }
            if (f.errorType().contains("OutOfMemoryError")) {
                return ErrorDocument.failure(InvocationResult.Kind.CRASH, "Runtime.OutOfMemory",
                        "the function ran out of memory: " + f.errorMessage());
            }
        }
        return answer;
    }

    /** Only a plain function error leaves an instance fit for reuse. */
    private static boolean survives(InvocationResult.Answer answer) {
        return answer instanceof InvocationResult.Success
                || (answer instanceof InvocationResult.Failure f && f.kind() == InvocationResult.Kind.FUNCTION_ERROR);
    }

    private static InvocationResult failed(Instance instance, boolean cold, InvocationResult.Failure failure) {
        long initMicros = (System.nanoTime() - instance.launchedNanos) / 1_000;
        return new InvocationResult(failure, instance.id, cold, initMicros, 0);
    }

    /** Live instance counts of a function of the default project, over all of its revisions. */
    public InstanceCounts counts(String functionName) {
        return counts(FunctionArns.DEFAULT_PROJECT, functionName);
    }

    /** Live instance counts of a function, over all of its revisions. */
    public InstanceCounts counts(String project, String functionName) {
        InstanceCounts total = InstanceCounts.NONE;
        for (InstancePool pool : pools.values()) {
            if (isOf(pool, project, functionName)) {
                total = total.plus(pool.counts());
            }
        }
        return total;
    }

    /** Every live instance of a function of the default project, with its resident memory. */
    public java.util.List<InstanceInfo> instances(String functionName) {
        return instances(FunctionArns.DEFAULT_PROJECT, functionName);
    }

    /** Every live instance of a function, over all of its revisions, with its resident memory. */
    public java.util.List<InstanceInfo> instances(String project, String functionName) {
        java.util.List<InstanceInfo> all = new java.util.ArrayList<>();
        for (InstancePool pool : pools.values()) {
            if (isOf(pool, project, functionName)) {
                all.addAll(pool.infos());
            }
        }
        return all;
    }

    /** Live instances on the node. */
    public int liveInstances() {
        return settings.maxInstances() - nodeSlots.availablePermits();
    }

    /**
     * After an update of {@code functionName}, stops serving its old {@code $LATEST} code: every
     * {@code $LATEST} pool whose revision is not {@code currentRevision} is retired. Published
     * versions are immutable and keep their pools.
     */
    public void retireStaleLatest(String functionName, String currentRevision) {
        retireStaleLatest(FunctionArns.DEFAULT_PROJECT, functionName, currentRevision);
    }

    /** {@link #retireStaleLatest(String, String)} for a function of {@code project}. */
    public void retireStaleLatest(String project, String functionName, String currentRevision) {
        retireWhere(pool -> isOf(pool, project, functionName)
                && pool.version().version().equals(FunctionVersion.LATEST)
                && !pool.version().revision().equals(currentRevision));
    }

    /** After a delete: every pool of the function (of the default project) is retired. */
    public void retireAll(String functionName) {
        retireAll(FunctionArns.DEFAULT_PROJECT, functionName);
    }

    /** After a delete: every pool of the function is retired. */
    public void retireAll(String project, String functionName) {
        retireWhere(pool -> isOf(pool, project, functionName));
        keepAlive.forget(functionKey(project, functionName));
    }

    private static boolean isOf(InstancePool pool, String project, String functionName) {
        return pool.version().functionName().equals(functionName) && pool.version().project().equals(project);
    }

    /**
     * The name the keep-alive policy learns a function under: names are unique per project only.
     * The default project's functions keep their bare names (reports and tests know them so).
     */
    static String functionKey(String project, String functionName) {
        return FunctionArns.DEFAULT_PROJECT.equals(project) ? functionName : project + "/" + functionName;
    }

    private void retireWhere(java.util.function.Predicate<InstancePool> stale) {
        pools.values().removeIf(pool -> {
            if (stale.test(pool)) {
                pool.retire();
                return true;
            }
            return false;
        });
    }

    /** Waits for in-flight invocations (up to {@code grace}), then stops every instance. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    public void close(Duration grace) {
        long until = System.nanoTime() + grace.toNanos();
        try {
            for (InstancePool pool : pools.values()) {
                pool.awaitIdle(Math.max(0, until - System.nanoTime()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closing = true;
        exits.release(Integer.MAX_VALUE / 2); // whatever waits for its turn to stop goes at once
        pools.values().forEach(InstancePool::destroyAll);
        pools.clear();
        stemCells.close();
        deadlines.close();
        timers.shutdownNow();
        starters.shutdownNow();
        destroyers.shutdown();
        try {
            destroyers.awaitTermination(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String poolKey(FunctionVersion version) {
        return version.project() + "\u0000" + version.functionName() + "\u0000" + version.revision();
    }

    /** What pools need from the scheduler; kept in one place so the pool stays a pure state holder. */
    final class Hooks {
        Scheduler.LogSink logs() {
            return logs;
        }

        String region() {
            return settings.region();
        }

        String newInstanceId() {
            return nodeTag + "-" + Long.toString(instanceIds.incrementAndGet(), 36);
        }

        /**
         * Room for one more instance of {@code requester}: one of its project's instances (its
         * quota) and one of the node's slots. When the project is full, an idle instance of
         * another of its functions hands both over; when the node is full, an idle instance of
         * any other function (or a waiting stem cell) hands its node slot over. Either is
         * destroyed and the requester starts in its place.
         */
        Reservation reserve(InstancePool requester) {
            String project = requester.version().project();
            if (!projectInstances.tryAcquire(project)) {
                Instance victim = evictIdle(requester, project);
                if (victim == null) {
                    return Reservation.PROJECT_FULL;
                }
                teardown(victim, false); // its project's instance and its node slot pass to the requester
                return Reservation.GRANTED;
            }
            if (nodeSlots.tryAcquire() || stemCells.evictOne()) {
                return Reservation.GRANTED;
            }
            Instance victim = evictIdle(requester, null);
            if (victim != null) {
                teardown(victim, false); // its node slot passes to the requester, its project's count drops
                String victimProject = victim.version.project();
                projectInstances.release(victimProject);
                // not on this thread: it holds the requester's lock, and never waits on another pool's
                destroyers.execute(() -> nudgeProject(victimProject));
                return Reservation.GRANTED;
            }
            projectInstances.release(project);
            return Reservation.NODE_FULL;
        }

        /**
         * Room for one more instance only if it is free: pre-warming is a guess and never
         * displaces anybody.
         */
        boolean tryReserve(InstancePool requester) {
            String project = requester.version().project();
            if (!projectInstances.tryAcquire(project)) {
                return false;
            }
            if (nodeSlots.tryAcquire()) {
                return true;
            }
            projectInstances.release(project);
            return false;
        }

        /** The most instances {@code project} may run, for messages. */
        long projectLimit(String project) {
            return projectInstances.limit(project);
        }

        /** An idle instance taken out of a pool other than {@code requester} (of {@code project} only, if given). */
        private Instance evictIdle(InstancePool requester, String project) {
            for (InstancePool pool : pools.values()) {
                if (pool != requester && (project == null || project.equals(pool.version().project()))) {
                    Instance victim = pool.evictOneIdle();
                    if (victim != null) {
                        return victim;
                    }
                }
            }
            return null;
        }

        void destroy(Instance instance) {
            teardown(instance, true);
        }

        /** The pool lost an instance and is below its provisioned concurrency. */
        void replenish(InstancePool pool) {
            if (!starters.isShutdown()) {
                starters.execute(() -> fillProvisioned(pool));
            }
        }

        /**
         * Destroys an instance its pool has taken out. With {@code releaseSlots}, its project's
         * count drops at once (waiting invocations of the project may start one) and its node
         * slot comes back once the process is gone; without, the caller has passed them on.
         */
        private void teardown(Instance instance, boolean releaseSlots) {
            if (releaseSlots) {
                projectInstances.release(instance.version.project());
                nudgeProject(instance.version.project());
            }
            destroyers.execute(() -> {
                boolean inTurn = false;
                if (!closing) {
                    try {
                        // bounded: a process that will not die must not hold every later stop
                        inTurn = exits.tryAcquire(EXIT_TURN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                stopping.incrementAndGet();
                try {
                    instance.destroy();
                } finally {
                    stopping.decrementAndGet();
                    if (inTurn) {
                        exits.release();
                    }
                    if (releaseSlots) {
                        releaseNodeSlot();
                    }
                }
            });
        }

        /** Arms the keep-alive timer of {@code instance} for {@code due} (System.nanoTime). */
        void expireAt(InstancePool pool, Instance instance, long due) {
            if (timers.isShutdown()) {
                return;
            }
            timers.schedule(() -> pool.expire(instance, due), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
