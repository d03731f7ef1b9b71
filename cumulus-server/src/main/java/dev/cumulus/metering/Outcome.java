package dev.cumulus.metering;

/** How an invocation ended. Everything but SUCCESS counts as an error in usage reports. */
public enum Outcome {
    SUCCESS,
    /** The function threw or reported an error. */
    ERROR,
    TIMEOUT,
    /** The instance died under the invocation: exit, out of memory, pids limit. */
    CRASH
}
