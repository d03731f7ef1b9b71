package dev.cumulus.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cumulus.runtimeapi.PendingInvocation;
import dev.cumulus.runtimeapi.Delivery;
import dev.cumulus.runtimeapi.RuntimeChannel;
import dev.cumulus.sandbox.ExitStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pre-started, sandboxed Java runtime with no function yet, for one memory size. Its channel
 * answers only the specialisation call; once specialised, its socket belongs to an instance.
 */
final class StemCell implements RuntimeChannel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(StemCell.class);

    private final String id;
    private final int memoryMb;
    private final Path taskDir;
    private final CompletableFuture<Void> waiting = new CompletableFuture<>();
    private final CompletableFuture<byte[]> specialisation = new CompletableFuture<>();
    private volatile InstanceLauncher.Started started;
    private volatile Runnable cleanup = () -> {};
    private volatile Instance owner;
    /** The code tree linked into {@link #taskDir} ahead of use, or null (see {@link SpareTrees}). */
    private volatile Path preparedWith;

    StemCell(String id, int memoryMb, Path taskDir) {
        this.id = id;
        this.memoryMb = memoryMb;
        this.taskDir = taskDir;
    }

    void attach(InstanceLauncher.Started started, Runnable cleanup) {
        this.started = started;
        this.cleanup = cleanup;
        started.process().onExit().thenAccept(this::exited);
    }

    String id() {
        return id;
    }

    int memoryMb() {
        return memoryMb;
    }

    Path taskDir() {
        return taskDir;
    }

    Path preparedWith() {
        return preparedWith;
    }

    void preparedWith(Path code) {
        preparedWith = code;
    }

    InstanceLauncher.Started started() {
        return started;
    }

    /** The instance this cell became, or null while it waits. */
    Instance owner() {
        return owner;
    }

    /** Waits until the runtime is up and asking for its function. */
    void awaitWaiting(long timeoutNanos) throws InterruptedException, TimeoutException, IOException {
        try {
            waiting.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("stem cell " + id + " died before it was ready", e.getCause());
        }
    }

    /** Ready to be specialised: up, asking for its function, not taken, and its process alive. */
    boolean isWaiting() {
        InstanceLauncher.Started s = started;
        // the process, not {@code waiting}: that completed when the cell first asked, maybe long before it died
        return waiting.isDone() && !waiting.isCompletedExceptionally() && !specialisation.isDone()
                && s != null && s.process().isAlive();
    }

    void specialise(Instance instance, Map<String, String> environment) throws IOException {
        owner = instance;
        specialisation.complete(JSON.writeValueAsBytes(Map.of("environment", environment)));
    }

    /** Stops the cell's process (if it is still a cell) and removes its files. */
    void destroy() {
        specialisation.complete(null);
        InstanceLauncher.Started s = started;
        if (s != null) {
            s.process().destroy();
        }
        close();
    }

    /** Releases the socket and the cell's directory; the process is the instance's to stop. */
    void close() {
        InstanceLauncher.Started s = started;
        if (s != null) {
            s.close();
        }
        cleanup.run();
    }

    private void exited(ExitStatus status) {
        waiting.completeExceptionally(new IOException("stem cell exited: " + status));
        if (owner == null) {
            if (!(status instanceof ExitStatus.Destroyed)) {
                LOG.warn("stem cell {} of {} MB (pid {}) ended without being stopped: {}", id, memoryMb,
                        started.process().pid(), status);
            }
            close();
        }
    }

    // --- RuntimeChannel: only the specialisation call is served by a cell ---

    @Override
    public byte[] awaitSpecialisation() throws InterruptedException {
        waiting.complete(null);
        try {
            return specialisation.get();
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    @Override
    public PendingInvocation next() {
        return null; // a cell has no function to poll for; the runtime asks for one first
    }

    @Override
    public Delivery respond(String requestId, byte[] payload) {
        return Delivery.UNKNOWN_ID;
    }

    @Override
    public Delivery error(String requestId, String errorType, byte[] errorJson) {
        return Delivery.UNKNOWN_ID;
    }

    @Override
    public void initError(String errorType, byte[] errorJson) {
        // a cell initialises no function; the instance it becomes takes init errors
    }
}
