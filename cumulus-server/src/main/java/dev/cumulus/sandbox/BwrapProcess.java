package dev.cumulus.sandbox;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bwrap process and its cgroup. Whichever comes first, natural exit or destroy(), the same
 * cleanup runs once: kill what is left in the cgroup, wait for it to empty, read the final
 * counters, remove the cgroup.
 */
final class BwrapProcess implements SandboxProcess {
    private static final Logger log = LoggerFactory.getLogger(BwrapProcess.class);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration OUTER_EXIT_GRACE = Duration.ofSeconds(2);

    private final Process process;
    private final InstanceCgroup cgroup;
    private final int memoryMb;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile boolean released;
    private volatile boolean pidsLimitHit;

    BwrapProcess(Process process, InstanceCgroup cgroup, int memoryMb) {
        this.process = process;
        this.cgroup = cgroup;
        this.memoryMb = memoryMb;
        Thread.ofVirtual().name("sandbox-exit-" + process.pid()).start(this::awaitExit);
    }

    private void awaitExit() {
        try {
            int code = process.waitFor();
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
            exit.complete(destroyed.get() ? new ExitStatus.Destroyed()
                    : oomKills > 0 ? new ExitStatus.OutOfMemory(memoryMb)
                    : ExitCodes.toStatus(code));
        } catch (Throwable t) {
            exit.completeExceptionally(t);
        }
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

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public InputStream output() {
        return process.getInputStream();
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    @Override
    public void destroy() {
        if (destroyed.compareAndSet(false, true) && !exit.isDone()) {
            killSandbox();
        }
        try {
            exit.get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("sandbox pid {}: cleanup after destroy did not finish", pid(), e);
        }
    }

    /**
     * Kills everything but the outer bwrap, which then reaps the inner one and exits by itself.
     * Killing the outer one first would orphan the inner bwrap to the host's init, leaving a
     * zombie we cannot reap; the pid namespace teardown reaps everything else.
     */
    private void killSandbox() {
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
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public boolean pidsLimitReached() {
        return released ? pidsLimitHit : cgroup.pidsLimitHits() > 0;
    }
}
