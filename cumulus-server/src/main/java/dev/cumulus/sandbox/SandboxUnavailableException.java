package dev.cumulus.sandbox;

/**
 * The node refuses to start because no sandbox works here (issue 10: fail closed). The message
 * is meant to be printed whole: it fits one screen and says what is missing, the command that
 * fixes it, what {@code cumulus doctor} found, and the explicit mode that runs without isolation.
 */
public final class SandboxUnavailableException extends IllegalStateException {
    SandboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
