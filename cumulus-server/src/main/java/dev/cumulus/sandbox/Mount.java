package dev.cumulus.sandbox;

import java.nio.file.Path;

/** A host file or directory made visible inside the sandbox at {@code sandboxPath}. */
public record Mount(Path hostPath, String sandboxPath, boolean writable) {
    public static Mount readOnly(Path hostPath, String sandboxPath) {
        return new Mount(hostPath, sandboxPath, false);
    }

    public static Mount writable(Path hostPath, String sandboxPath) {
        return new Mount(hostPath, sandboxPath, true);
    }
}
