package dev.cumulus.registry;

/**
 * What the principal asking the registry for a change may grant: host mounts (the root principal
 * only) and network egress (whoever IAM allows {@code functions:GrantEgress}; the functions
 * service asks the guard before it names this authority).
 */
public enum Authority {
    /** The root token: grants host mounts and may change anything. */
    ROOT_TOKEN,
    /** A principal IAM allows {@code functions:GrantEgress} on the function: grants egress, not mounts. */
    EGRESS_GRANTED,
    /** Any other principal (API keys, access keys, execution tokens): grants neither. */
    ACCESS_KEY;

    /** Whether this authority grants or changes a function's network egress (ADR 0038). */
    public boolean mayGrantEgress() {
        return this != ACCESS_KEY;
    }

    /**
     * Whether this authority grants host mounts, and so may also change what runs beside mounts
     * already granted (code, runtime, handler, environment): new code behind an old grant is a
     * new grant (issue 10, ADR 0022).
     */
    public boolean mayGrantMounts() {
        return this == ROOT_TOKEN;
    }
}
