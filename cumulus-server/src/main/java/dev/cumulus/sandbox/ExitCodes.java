package dev.cumulus.sandbox;

/**
 * Both bwrap (as pid 1 of the sandbox) and the JDK report a child killed by signal n as exit
 * code 128+n, so that is all we can go on; a program that itself exits with 137 reads as SIGKILL.
 */
final class ExitCodes {
    private ExitCodes() {}

    static ExitStatus toStatus(int code) {
        if (code > 128 && code <= 128 + 64) {
            return new ExitStatus.Signaled(code - 128);
        }
        return new ExitStatus.Exited(code);
    }
}
