package dev.cumulus.sandbox;

import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/** One running sandboxed process. */
public interface SandboxProcess {
    /** The host pid of the process the sandbox started (bwrap's pid, or the plain process). */
    long pid();

    /** stdout and stderr, merged, as the process writes them. */
    InputStream output();

    /** Completes once the process and every process it started are gone, with why. */
    CompletableFuture<ExitStatus> onExit();

    /** Kills the process and all of its descendants, then releases cgroups and private dirs. */
    void destroy();

    /** Resident memory of the whole instance in bytes (cgroup usage where there is one), or -1. */
    long residentBytes();

    boolean isAlive();

    /** Whether the instance has been refused a new process or thread by its pids limit. */
    boolean pidsLimitReached();
}
