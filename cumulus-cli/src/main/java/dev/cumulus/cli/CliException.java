package dev.cumulus.cli;

/**
 * A failure the user should read as one line: {@code error: <message>}. {@link #exitCode()} is 1
 * for errors and 2 for usage errors (bad arguments found after parsing, e.g. a missing file).
 */
public final class CliException extends RuntimeException {
    public static final int ERROR = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    public CliException(String message) {
        this(ERROR, message, null);
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException usage(String message) {
        return new CliException(USAGE, message, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
