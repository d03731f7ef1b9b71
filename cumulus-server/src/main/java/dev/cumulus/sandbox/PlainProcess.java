package dev.cumulus.sandbox;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An unsandboxed child process. Descendants are found through ProcessHandle, so one that
 * daemonises (re-parents to init) escapes destroy(); only a cgroup could catch it.
 */
final class PlainProcess implements SandboxProcess {
    private static final Logger log = LoggerFactory.getLogger(PlainProcess.class);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path privateDir;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final AtomicBoolean destroyed = new AtomicBoolean();

    PlainProcess(Process process, Path privateDir) {
        this.process = process;
        this.privateDir = privateDir;
        Thread.ofVirtual().name("plain-exit-" + process.pid()).start(this::awaitExit);
    }

    private void awaitExit() {
        try {
            int code = process.waitFor();
            try {
                ScratchDirs.delete(privateDir);
            } catch (RuntimeException e) {
                log.warn("instance pid {}: private dir {} left behind", pid(), privateDir, e);
            }
            exit.complete(destroyed.get() ? new ExitStatus.Destroyed() : ExitCodes.toStatus(code));
        } catch (Throwable t) {
            exit.completeExceptionally(t);
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
        if (destroyed.compareAndSet(false, true) && !exit.isDone()
                && !ProcessTree.kill(process.toHandle(), KILL_TIMEOUT)) {
            log.error("instance pid {}: processes survived SIGKILL for {}", pid(), KILL_TIMEOUT);
        }
        try {
            exit.get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("instance pid {}: cleanup after destroy did not finish", pid(), e);
        }
    }

    @Override
    public long residentBytes() {
        return process.isAlive() ? ProcessTree.residentBytes(process.toHandle()) : 0;
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public boolean pidsLimitReached() {
        return false;
    }
}
