package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The instances of one function revision. Picks a warm instance with a free slot, else starts
 * one if the function's and the node's limits allow, else queues the caller (bounded) until a
 * slot frees up. All lifecycle transitions of its instances happen here, under one lock.
 */
final class InstancePool {
    private final FunctionVersion version;
    private final Scheduler.Hooks hooks;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /**
     * Where queued invocations wait for a slot. Apart from {@link #changed} so that a release,
     * which frees one slot, wakes one of them and not the whole queue (at 32 connections on 10
     * single-concurrency instances every release woke 22 threads, 21 of them to wait again:
     * issue 12). Every other change still wakes them all.
     */
    private final Condition slotFree = lock.newCondition();
    private final List<Instance> instances = new ArrayList<>();
    private int waiting;
    /** Of {@link #waiting}, those counting on a slot of an instance that is starting. */
    private int awaitingForStart;
    private boolean retired;
    /** Provisioned concurrency: keep-alive and eviction never take the pool below this. */
    private int provisioned;
    /** Only the newest scheduled pre-warm may fire; an arrival or a newer plan supersedes it. */
    private long prewarmToken;
    /** Invocations running on this pool's instances now, and their recent peak. */
    private int running;
    private final ConcurrencyWindow recent = new ConcurrencyWindow(Scheduler.STABLE_WINDOW.toNanos());

    InstancePool(FunctionVersion version, Scheduler.Hooks hooks) {
        this.version = version;
        this.hooks = hooks;
    }

    FunctionVersion version() {
        return version;
    }

    /** A slot on an instance of {@code pool}, and whether the caller has to start that instance itself. */
    record Lease(InstancePool pool, Instance instance, boolean mustStart) {}

    /**
     * A slot on a running instance now, without waiting or starting anything: null when no
     * instance has one free, when invocations are queued already (they go first) or when the
     * pool is retired. The caller then takes the way of {@link #acquire}.
     */
    Instance acquireWarm() {
        int concurrency = version.config().concurrency();
        lock.lock();
        try {
            prewarmToken++; // an arrival, as in acquire: a pre-warm planned before it is stale
            return retired || waiting > 0 ? null : freeSlot(concurrency);
        } finally {
            lock.unlock();
        }
    }

    /** Takes a slot of the first running instance with one free (caller holds the lock); null when none has. */
    private Instance freeSlot(int concurrency) {
        for (Instance instance : instances) {
            // a process that just died is skipped until the pool hears of its exit
            if ((instance.state == InstanceState.IDLE || instance.state == InstanceState.BUSY)
                    && instance.inFlight < concurrency && instance.isAlive()) {
                instance.state = instance.state.moveTo(InstanceState.BUSY);
                instance.inFlight++;
                recent.record(System.nanoTime(), ++running);
                return instance;
            }
        }
        return null;
    }

    /** A slot, or null if this pool was retired meanwhile (the caller asks the scheduler again). */
    Lease acquire(int queueDepth, Duration queueTimeout) throws InterruptedException {
        long waitUntil = System.nanoTime() + queueTimeout.toNanos();
        int concurrency = version.config().concurrency();
        lock.lock();
        try {
            boolean queued = false;
            boolean awaitingStart = false;
            boolean startGivenUp = false;
            prewarmToken++;
            try {
                while (true) {
                    if (retired) {
                        return null;
                    }
                    Instance free = freeSlot(concurrency);
                    if (free != null) {
                        return new Lease(this, free, false);
                    }
                    int startingSlots = 0;
                    for (Instance instance : instances) {
                        if (instance.state == InstanceState.STARTING && instance.isAlive()) {
                            startingSlots += concurrency - instance.inFlight;
                        }
                    }
                    // An instance that is starting and will have a slot left is nearer than one
                    // not started yet: wait for it (as Knative's activator holds requests for a
                    // pod coming up) instead of starting another JVM for the same burst. Only with
                    // concurrency above 1 (a starting single-concurrency instance has no slot to
                    // spare), and only within the queue's limits; when the wait runs out, the
                    // caller starts its own instance as before.
                    int othersAwaiting = awaitingForStart - (awaitingStart ? 1 : 0);
                    if (concurrency > 1 && !startGivenUp && startingSlots > othersAwaiting
                            && (queued || waiting < queueDepth)) {
                        if (!queued) {
                            waiting++;
                            queued = true;
                        }
                        if (!awaitingStart) {
                            awaitingForStart++;
                            awaitingStart = true;
                        }
                        long left = waitUntil - System.nanoTime();
                        if (left > 0) {
                            slotFree.awaitNanos(left);
                            continue;
                        }
                        startGivenUp = true;
                        awaitingForStart--;
                        awaitingStart = false;
                    }
                    Scheduler.Reservation room = instances.size() < version.config().maxInstances()
                            ? hooks.reserve(this) : null;
                    if (room == Scheduler.Reservation.GRANTED) {
                        Instance instance = add();
                        instance.inFlight = 1;
                        recent.record(System.nanoTime(), ++running);
                        return new Lease(this, instance, true);
                    }
                    if (!queued) {
                        if (waiting >= queueDepth) {
                            throw new ThrottledException(limitReached(room) + " and its queue is full",
                                    Duration.ofSeconds(1));
                        }
                        waiting++;
                        queued = true;
                    }
                    long left = waitUntil - System.nanoTime();
                    if (left <= 0) {
                        throw new ThrottledException(limitReached(room) + " for " + queueTimeout.toMillis() + " ms",
                                Duration.ofSeconds(1));
                    }
                    slotFree.awaitNanos(left);
                }
            } catch (RuntimeException | InterruptedException | Error e) {
                if (queued) {
                    // a wake-up this waiter took and cannot use (timed out, throttled,
                    // interrupted) goes on to the next one
                    slotFree.signal();
                }
                throw e;
            } finally {
                if (queued) {
                    waiting--;
                }
                if (awaitingStart) {
                    awaitingForStart--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Which limit kept an invocation waiting: the function's, its project's quota, or the node's. */
    private String limitReached(Scheduler.Reservation room) {
        if (room == Scheduler.Reservation.PROJECT_FULL) {
            return "project " + version.project() + " runs its quota of " + hooks.projectLimit(version.project())
                    + " concurrent instances (function " + version.functionName() + ")";
        }
        if (room == Scheduler.Reservation.NODE_FULL) {
            return "the node runs its maximum of instances (function " + version.functionName() + ")";
        }
        return "function " + version.functionName() + " is at its limit of " + version.config().maxInstances()
                + " instances";
    }

    /** The instance that a lease started is ready and serving the invocation that started it. */
    void started(Instance instance) {
        lock.lock();
        try {
            if (instance.state == InstanceState.STARTING) {
                instance.state = instance.state.moveTo(InstanceState.BUSY);
                instance.endTurn();
            }
            signalAll(); // with concurrency > 1 others may share it now
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a slot back. A healthy instance that has nothing left to do becomes idle and its
     * keep-alive starts; an unhealthy one is removed and destroyed.
     */
    void release(Instance instance, boolean healthy, Duration keepAlive) {
        boolean destroy = false;
        long arm = 0;
        lock.lock();
        try {
            instance.inFlight--;
            running--;
            if (!healthy || instance.state == InstanceState.GONE) {
                destroy = remove(instance);
            } else if (instance.inFlight == 0) {
                if (instance.state == InstanceState.DRAINING || retired) {
                    destroy = remove(instance);
                } else {
                    instance.state = instance.state.moveTo(InstanceState.IDLE);
                    arm = keepIdle(instance, System.nanoTime(), keepAlive);
                }
            }
            changed.signalAll();
            slotFree.signal(); // one slot (or room for one instance) for one queued invocation
        } finally {
            lock.unlock();
        }
        if (destroy) {
            hooks.destroy(instance);
            replenish();
        } else if (arm != 0) {
            hooks.expireAt(this, instance, arm);
        }
    }

    /**
     * An instance became idle at {@code now}: it may be stopped {@code keepAlive} later. Returns
     * the deadline of the keep-alive timer the caller has to arm (after the lock), or 0 when the
     * timer armed already fires no later than that: it then finds the new deadline and arms
     * itself again. So an instance has at most one timer however many invocations it serves
     * (one per invocation kept the node's timer thread waking for every one that went by and
     * held rate x keep-alive stale timers: issue 12).
     */
    private long keepIdle(Instance instance, long now, Duration keepAlive) {
        instance.idleSinceNanos = now;
        instance.keepUntilNanos = now + keepAlive.toNanos();
        if (instance.keepUntilNanos == 0) {
            instance.keepUntilNanos = 1; // 0 means "no timer armed"
        }
        if (instance.expiryTimerNanos != 0 && instance.expiryTimerNanos - instance.keepUntilNanos <= 0) {
            return 0;
        }
        return armForKeepUntil(instance);
    }

    /** Records that a timer is armed for the instance's keep-alive deadline; returns that deadline. */
    private static long armForKeepUntil(Instance instance) {
        instance.expiryTimerNanos = instance.keepUntilNanos;
        return instance.keepUntilNanos;
    }

    /**
     * The keep-alive timer armed for {@code due} fired: stop the instance if it has been idle for
     * its whole keep-alive; if it served invocations meanwhile and is idle again, arm the timer for
     * its new deadline; if it is busy, its next release arms one.
     */
    void expire(Instance instance, long due) {
        boolean destroy = false;
        long arm = 0;
        lock.lock();
        try {
            if (instance.expiryTimerNanos != due) {
                return; // an earlier timer took over (its keep-alive was shortened)
            }
            instance.expiryTimerNanos = 0;
            if (instance.state == InstanceState.IDLE && instances.size() > provisioned) {
                if (System.nanoTime() - instance.keepUntilNanos >= 0) {
                    instance.state = instance.state.moveTo(InstanceState.DRAINING);
                    destroy = remove(instance);
                } else {
                    arm = armForKeepUntil(instance);
                }
            }
        } finally {
            lock.unlock();
        }
        if (destroy) {
            hooks.destroy(instance);
        } else if (arm != 0) {
            hooks.expireAt(this, instance, arm);
        }
    }

    /** The process of {@code instance} ended on its own (or was ended); forget it if still here. */
    private void processGone(Instance instance) {
        boolean destroy;
        lock.lock();
        try {
            destroy = remove(instance);
            signalAll();
        } finally {
            lock.unlock();
        }
        if (destroy) {
            hooks.destroy(instance);
            replenish();
        }
    }

    // --- instances started without an invocation: provisioned concurrency and pre-warming ---

    /** Sets the provisioned concurrency; the caller then starts what {@link #reserveProvisioned} hands out. */
    void provision(int instances) {
        lock.lock();
        try {
            provisioned = instances;
        } finally {
            lock.unlock();
        }
    }

    /** An instance to start in the background because the pool is below its provisioned concurrency. */
    Instance reserveProvisioned() {
        lock.lock();
        try {
            if (retired || instances.size() >= provisioned || instances.size() >= version.config().maxInstances()
                    || hooks.reserve(this) != Scheduler.Reservation.GRANTED) {
                return null;
            }
            return add();
        } finally {
            lock.unlock();
        }
    }

    /** A token for a pre-warm planned now; only the newest one is honoured. */
    long planPrewarm() {
        lock.lock();
        try {
            return ++prewarmToken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * An instance to pre-warm, if the plan behind {@code token} still stands and the pool has no
     * instance at all. A pre-warm never evicts another function's idle instance: it is a guess.
     */
    Instance reservePrewarm(long token) {
        lock.lock();
        try {
            if (retired || token != prewarmToken || !instances.isEmpty() || !hooks.tryReserve(this)) {
                return null;
            }
            return add();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A background start ended. A ready instance becomes idle (waiting callers may take it) and
     * is kept for {@code keepAlive}, or with no expiry when that is null (provisioned: the pool's
     * floor keeps it); one that did not start is destroyed.
     */
    void warmed(Instance instance, boolean ready, Duration keepAlive) {
        boolean destroy = false;
        long arm = 0;
        lock.lock();
        try {
            if (ready && !retired && instance.state == InstanceState.STARTING) {
                instance.state = instance.state.moveTo(InstanceState.IDLE);
                instance.endTurn();
                long now = System.nanoTime();
                if (keepAlive != null) {
                    arm = keepIdle(instance, now, keepAlive);
                } else {
                    instance.idleSinceNanos = now;
                }
            } else {
                destroy = remove(instance);
            }
            signalAll();
        } finally {
            lock.unlock();
        }
        if (destroy) {
            hooks.destroy(instance);
        } else if (arm != 0) {
            hooks.expireAt(this, instance, arm);
        }
    }

    private void replenish() {
        boolean below;
        lock.lock();
        try {
            below = !retired && instances.size() < provisioned;
        } finally {
            lock.unlock();
        }
        if (below) {
            hooks.replenish(this);
        }
    }

    /** A new instance in this pool (caller holds the lock). */
    private Instance add() {
        Instance instance = new Instance(hooks.newInstanceId(), version, hooks.logs(), hooks.region());
        instances.add(instance);
        instance.processGone.thenRun(() -> processGone(instance));
        return instance;
    }

    /**
     * Takes one idle instance out so another function can have its node slot; the caller
     * destroys it. Null if there is none, or if this pool is busy right now (never wait on
     * another pool's lock while holding one's own).
     */
    Instance evictOneIdle() {
        if (!lock.tryLock()) {
            return null;
        }
        try {
            if (instances.size() <= provisioned) {
                return null;
            }
            for (Instance instance : instances) {
                if (instance.state == InstanceState.IDLE) {
                    instance.state = instance.state.moveTo(InstanceState.DRAINING);
                    remove(instance);
                    return instance;
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes out the idle instances that recent traffic does not need: more than the peak
     * concurrency of the last {@link Scheduler#STABLE_WINDOW} asks for (in instances), never
     * below one nor below the provisioned concurrency. The longest idle go first; the caller
     * destroys them. The last instance's fate stays with the keep-alive policy.
     */
    List<Instance> takeSurplus(long nowNanos) {
        List<Instance> surplus = new ArrayList<>();
        lock.lock();
        try {
            int perInstance = version.config().concurrency();
            int needed = Math.max(Math.max(1, provisioned), (recent.peak(nowNanos) + perInstance - 1) / perInstance);
            int extra = instances.size() - needed;
            if (extra <= 0) {
                return surplus;
            }
            instances.stream()
                    .filter(i -> i.state == InstanceState.IDLE)
                    .sorted(java.util.Comparator.comparingLong(i -> i.idleSinceNanos))
                    .limit(extra)
                    .toList()
                    .forEach(i -> {
                        i.state = i.state.moveTo(InstanceState.DRAINING);
                        remove(i);
                        surplus.add(i);
                    });
            return surplus;
        } finally {
            lock.unlock();
        }
    }

    /** Stops taking work and destroys idle instances; busy ones go once their work is done. */
    void retire() {
        List<Instance> idle = new ArrayList<>();
        lock.lock();
        try {
            retired = true;
            for (Instance instance : List.copyOf(instances)) {
                if (instance.state == InstanceState.IDLE) {
                    instance.state = instance.state.moveTo(InstanceState.DRAINING);
                    remove(instance);
                    idle.add(instance);
                } else if (instance.state == InstanceState.BUSY) {
                    instance.state = instance.state.moveTo(InstanceState.DRAINING);
                }
            }
            signalAll();
        } finally {
            lock.unlock();
        }
        idle.forEach(hooks::destroy);
    }

    /** Wakes waiters: a node slot may have become free elsewhere. */
    void nudge() {
        lock.lock();
        try {
            signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean hasWaiters() {
        return waiting > 0;
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return instances.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no instance of this pool is busy, or the time is up. */
    boolean awaitIdle(long timeoutNanos) throws InterruptedException {
        long until = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            while (instances.stream().anyMatch(i -> i.inFlight > 0)) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Destroys everything; for node shutdown after draining. */
    void destroyAll() {
        List<Instance> all;
        lock.lock();
        try {
            retired = true;
            all = List.copyOf(instances);
            all.forEach(this::remove);
            signalAll();
        } finally {
            lock.unlock();
        }
        all.forEach(hooks::destroy);
    }

    /** A snapshot of the instances; memory is read after the lock is released (it is file I/O). */
    List<InstanceInfo> infos() {
        List<Instance> live;
        List<InstanceState> states;
        long[] pids;
        lock.lock();
        try {
            live = List.copyOf(instances);
            states = live.stream().map(i -> i.state).toList();
            // with the states: a STARTING instance gets its pid when it passes the start gate
            pids = live.stream().mapToLong(Instance::pid).toArray();
        } finally {
            lock.unlock();
        }
        List<InstanceInfo> infos = new ArrayList<>(live.size());
        for (int n = 0; n < live.size(); n++) {
            Instance i = live.get(n);
            infos.add(new InstanceInfo(i.id, version.version(), states.get(n), pids[n], i.residentBytes()));
        }
        return infos;
    }

    InstanceCounts counts() {
        lock.lock();
        try {
            int starting = 0, idle = 0, busy = 0;
            for (Instance instance : instances) {
                switch (instance.state) {
                    case STARTING -> starting++;
                    case IDLE -> idle++;
                    case BUSY, DRAINING -> busy++;
                    case GONE -> { }
                }
            }
            return new InstanceCounts(starting, idle, busy);
        } finally {
            lock.unlock();
        }
    }

    /** Removes an instance from the pool (caller holds the lock); true if it was still here. */
    private boolean remove(Instance instance) {
        if (instances.remove(instance)) {
            instance.state = instance.state.moveTo(InstanceState.GONE);
            instance.endTurn();
            return true;
        }
        return false;
    }

    /** Wakes everybody waiting on the pool: a change that is not one freed slot. Under the lock. */
    private void signalAll() {
        changed.signalAll();
        slotFree.signalAll();
    }
}
