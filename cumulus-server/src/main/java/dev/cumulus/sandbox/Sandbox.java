package dev.cumulus.sandbox;

import java.io.IOException;

/**
 * Starts instance processes isolated from the host and from each other.
 *
 * <p>Implementations: bubblewrap with cgroup limits (the default; without it the node does not start)
 * and plain processes, only when the operator asked for no isolation by name ({@link
 * Sandboxes#NO_ISOLATION}); the node then says so on every response.
 */
public interface Sandbox {

    /**
     * A short name for logs and {@code cumulus doctor}: {@code bwrap} or {@code none}; what
     * {@code /healthz} and the {@code X-Cumulus-Sandbox} header say.
     */
    String kind();

    /** Whether instances are really isolated; false only for plain processes. */
    boolean isolated();

    /**
     * The path at which the process sees {@code mount}: its sandbox path when the sandbox remaps
     * the filesystem, its host path when it does not. Build commands and environment with it.
     */
    String visiblePath(Mount mount);

    SandboxProcess launch(SandboxSpec spec) throws IOException;

    /**
     * Why instances here cannot be given network egress ({@link Egress} other than none), or null
     * when they can: a deploy asking for egress on such a node is refused.
     */
    String egressProblem();
}
