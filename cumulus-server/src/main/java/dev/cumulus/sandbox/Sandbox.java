package dev.cumulus.sandbox;

import java.io.IOException;

/**
 * Starts instance processes isolated from the host and from each other.
 *
 * <p>Implementations: bubblewrap with cgroup limits (the default where the host supports it)
 * and a plain-process fallback for hosts without sandbox tools, which warns loudly.
 */
public interface Sandbox {

    /** A short name for logs and {@code cumulus doctor}: {@code bwrap} or {@code process}. */
    String kind();

    /** Whether instances are really isolated; false only for the plain-process fallback. */
    boolean isolated();

    /**
     * The path at which the process sees {@code mount}: its sandbox path when the sandbox remaps
     * the filesystem, its host path when it does not. Build commands and environment with it.
     */
    String visiblePath(Mount mount);

    SandboxProcess launch(SandboxSpec spec) throws IOException;
}
