package dev.cumulus.platform;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up steps of a node that need nothing of each other (the sandbox probe, opening and
 * migrating the database, the runtime API's socket), each on a virtual thread of its own, so that
 * a restart waits for the slowest of them instead of their sum (issue 12, ADR 0043).
 *
 * <p>{@link #await} hands a step's result to the composition root, which from then on owns it (and
 * closes it with everything else). When any step fails, {@link #await} throws that failure, the
 * first in time and unchanged, even while it waits for another step: a database that cannot be
 * reached does not wait for the bwrap smoke test to say so. {@link #abandon} then waits for the
 * steps still running and closes, in reverse order of start, every result nobody took.
 */
final class StartupSteps {
    private static final Logger LOG = LoggerFactory.getLogger(StartupSteps.class);

    /** One step, started; its result comes out of {@link #await}. */
    static final class Step<T> {
        private final String name;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private boolean taken;

        private Step(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final List<Step<?>> started = new ArrayList<>();
    /** Completed exceptionally by the first step that fails; never completed normally. */
    private final CompletableFuture<Void> firstFailure = new CompletableFuture<>();

    /** Starts {@code work} now, on a virtual thread named after the step. */
    <T> Step<T> start(String name, Callable<T> work) {
        Step<T> step = new Step<>(name);
        started.add(step);
        Thread.ofVirtual().name("start-" + name).start(() -> {
            try {
                step.result.complete(work.call());
            } catch (Throwable t) {
                step.result.completeExceptionally(t);
                firstFailure.completeExceptionally(t);
            }
        });
        return step;
    }

    /**
     * The result of {@code step}, once it is done; the caller owns it from now on.
     *
     * @throws IOException the step's own IOException, or the first other step's, as it was thrown
     */
    <T> T await(Step<T> step) throws IOException {
        try {
            CompletableFuture.anyOf(step.result, firstFailure).get();
            T value = step.result.getNow(null);
            step.taken = true;
            return value;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for start-up step " + step, e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    /**
     * After a failed start: waits for every step still running and closes the results nobody
     * {@link #await awaited}, the last started first; errors on the way are logged, not thrown,
     * so that the start's own failure is what the caller sees.
     */
    void abandon() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Step<?> step = started.get(i);
            Object value;
            try {
                value = step.result.join();
            } catch (RuntimeException e) {
                continue; // failed: nothing was made, and its failure is already on its way up
            }
            if (!step.taken && value instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("error while closing start-up step {} after a failed start", step, e);
                }
            }
        }
    }

    private static IOException rethrow(Throwable cause) throws IOException {
        if (cause instanceof IOException io) {
            throw io;
        }
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        throw new IOException(cause.getMessage(), cause);
    }
}
