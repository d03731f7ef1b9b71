package dev.cumulus.sandbox;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bwrap process and its cgroup. Whichever comes first, natural exit or destroy(), the same
 * cleanup runs once: kill what is left in the cgroup, wait for it to empty, read the final
 * counters, remove the cgroup.
 */
final class BwrapProcess extends ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(BwrapProcess.class);
    private static final Duration OUTER_EXIT_GRACE = Duration.ofSeconds(2);

    private final InstanceCgroup cgroup;
    private final int memoryMb;
    private volatile boolean released;
    private volatile boolean pidsLimitHit;

    BwrapProcess(Process process, InstanceCgroup cgroup, int memoryMb) {
        super(process, "sandbox-exit");
        this.cgroup = cgroup;
        this.memoryMb = memoryMb;
        watchExit();
    }

    @Override
    ExitStatus finish(int code, boolean destroyed) {
        // Normally bwrap's pid 1 took the whole namespace down with it already; this is for
        // the case where bwrap itself was killed (e.g. chosen by the OOM killer).
        killAndAwaitEmpty();
        long oomKills = cgroup.oomKills();
        pidsLimitHit = cgroup.pidsLimitHits() > 0;
        released = true;
        try {
            cgroup.remove();
        } catch (RuntimeException e) {
            log.error("sandbox pid {}: cgroup left behind", pid(), e);
        }
        return destroyed ? new ExitStatus.Destroyed()
                : oomKills > 0 ? new ExitStatus.OutOfMemory(memoryMb)
                : ExitCodes.toStatus(code);
    }

    private void killAndAwaitEmpty() {
        boolean empty = Poll.until(() -> {
            cgroup.killAll();
            return cgroup.pids().isEmpty();
        }, KILL_TIMEOUT);
        if (!empty) {
            log.error("sandbox pid {}: processes {} survived SIGKILL for {}", pid(), cgroup.pids(), KILL_TIMEOUT);
        }
    }

    /**
     * Kills everything but the outer bwrap, which then reaps the inner one and exits by itself.
     * Killing the outer one first would orphan the inner bwrap to the host's init, leaving a
     * zombie we cannot reap; the pid namespace teardown reaps everything else.
     */
    @Override
    void kill() {
        Poll.until(() -> {
            cgroup.pids().stream().filter(p -> p != pid())
                    .forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
            return cgroup.pids().stream().allMatch(p -> p == pid());
        }, KILL_TIMEOUT);
        try {
            // Not yet past bwrap's setup (no inner process to kill) or stuck: kill it directly.
            if (!process.waitFor(OUTER_EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public long residentBytes() {
        return released ? 0 : cgroup.usageBytes();
    }

    @Override
    public boolean pidsLimitReached() {
        return released ? pidsLimitHit : cgroup.pidsLimitHits() > 0;
    }
}
