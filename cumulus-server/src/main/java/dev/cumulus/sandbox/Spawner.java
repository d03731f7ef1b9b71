package dev.cumulus.sandbox;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Forks every sandbox from one platform thread that lives as long as the JVM.
 *
 * <p>Why: bubblewrap's {@code --die-with-parent} is {@code PR_SET_PDEATHSIG}, and Linux sends
 * that signal when the <em>thread</em> that forked the process exits, not the process. Forked
 * from a virtual thread's carrier or a pooled thread, an instance was SIGKILLed about a minute
 * after that thread went idle and retired (issue 9). Forked here, the signal fires only when the
 * whole node dies, which is what it is for: no sandbox outlives a node killed with SIGKILL.
 *
 * <p>Forking is a few hundred microseconds, so one thread for the node costs little; the slow
 * parts of a launch (cgroups, waiting for the runtime) stay on the caller's thread.
 */
final class Spawner {
    /**
     * One core thread that never times out. A task's exception is caught by its Future, so the
     * thread itself never dies of one and is never replaced by a new one.
     */
    private static final ThreadPoolExecutor THREAD = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), Thread.ofPlatform().name("sandbox-spawner").daemon().factory());

    private Spawner() {}

    /** Starts {@code builder}'s process as a child of the spawner thread. */
    static Process start(ProcessBuilder builder) throws IOException {
        Future<Process> started = THREAD.submit(builder::start);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return started.get();
                } catch (InterruptedException e) {
                    // the fork goes ahead either way; returning without the Process would leak it
                    interrupted = true;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("could not start " + builder.command().getFirst(), e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
