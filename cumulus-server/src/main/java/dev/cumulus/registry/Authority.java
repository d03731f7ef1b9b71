package dev.cumulus.registry;

/**
 * Who asks the registry for a change. A node knows two today: its root token (the REST API)
 * and SigV4 access keys (the Lambda API). This is the check point identity and access
 * management (issue 11) fills in with principals and policies; until then the one question
 * asked of it is {@link #mayGrantMounts}.
 */
public enum Authority {
    /** The root token: grants host mounts and may change anything. */
    ROOT_TOKEN,
    /** An access key of the Lambda API, which cannot express mounts and so never grants them. */
    ACCESS_KEY;

    /**
     * Whether this authority grants host mounts, and so may also change what runs beside mounts
     * already granted (code, runtime, handler, environment): new code behind an old grant is a
     * new grant (issue 10, ADR 0022).
     */
    public boolean mayGrantMounts() {
        return this == ROOT_TOKEN;
    }
}
