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
 * What every sandboxed process shares: one watcher that turns the exit into an
 * {@link ExitStatus} after the subclass's cleanup, and a destroy() that kills once and then
 * waits for that same cleanup, whichever of the two happens first.
 */
abstract class ChildProcess implements SandboxProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    final Process process;
    private final String watcherName;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private final AtomicBoolean destroyed = new AtomicBoolean();

    ChildProcess(Process process, String watcherName) {
        this.process = process;
        this.watcherName = watcherName;
    }

    /**
     * Starts watching for the exit. Subclasses call it last in their constructor: a process
     * that dies at once must not reach {@link #finish} before their fields are set.
     */
    final void watchExit() {
        Thread.ofVirtual().name(watcherName + "-" + process.pid()).start(this::awaitExit);
    }

    /** Cleans up after the process ended with {@code code} and says why it ended. */
    abstract ExitStatus finish(int code, boolean destroyed);

    /** Kills the process and everything it started. */
    abstract void kill();

    private void awaitExit() {
        try {
            int code = process.waitFor();
            exit.complete(finish(code, destroyed.get()));
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
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void destroy() {
        // a process that already died (killed from outside) keeps its own exit status: only
        // a live one is marked as ended by the node
        if (process.isAlive() && destroyed.compareAndSet(false, true) && !exit.isDone()) {
            kill();
        }
        try {
            exit.get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.error("instance pid {}: cleanup after destroy did not finish", pid(), e);
        }
    }
}
