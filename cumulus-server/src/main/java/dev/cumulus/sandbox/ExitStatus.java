package dev.cumulus.sandbox;

/** Why an instance process ended. The scheduler turns each case into an error type for the caller. */
public sealed interface ExitStatus {
    /** The process exited on its own with this code (e.g. the function called System.exit). */
    record Exited(int code) implements ExitStatus {}

    /** The kernel killed it for passing its memory limit. */
    record OutOfMemory(int memoryMb) implements ExitStatus {}

    /** It was killed by a signal not sent by the platform. */
    record Signaled(int signal) implements ExitStatus {}

    /** The platform destroyed it (timeout, keep-alive expiry, shutdown). */
    record Destroyed() implements ExitStatus {}
}
