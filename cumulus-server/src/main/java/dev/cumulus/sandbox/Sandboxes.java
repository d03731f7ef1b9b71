package dev.cumulus.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses and builds the node's {@link Sandbox}. */
public final class Sandboxes {
    private static final Logger log = LoggerFactory.getLogger(Sandboxes.class);

    private Sandboxes() {}

    /**
     * @param mode {@code auto} (bwrap if this host can run it, else plain processes with a
     *     warning), {@code bwrap} (fails if this host cannot run it) or {@code process}
     * @param scratchDir where per-instance private directories go; created if missing
     * @throws IllegalArgumentException for an unknown mode
     * @throws IllegalStateException when {@code bwrap} was asked for and cannot work here
     */
    public static Sandbox create(String mode, Path scratchDir) {
        try {
            Files.createDirectories(scratchDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sandbox scratch dir " + scratchDir, e);
        }
        return switch (mode) {
            case "bwrap" -> {
                try {
                    yield bwrap(scratchDir);
                } catch (IOException e) {
                    throw new IllegalStateException("sandbox mode 'bwrap' is not usable on this host: "
                            + e.getMessage() + ". Run `cumulus doctor` for details.", e);
                }
            }
            case "process" -> plain(scratchDir, "sandbox mode 'process' was configured");
            case "auto" -> {
                try {
                    yield bwrap(scratchDir);
                } catch (IOException e) {
                    yield plain(scratchDir, "bwrap sandbox unusable (" + e.getMessage() + ")");
                }
            }
            default -> throw new IllegalArgumentException(
                    "unknown sandbox mode '" + mode + "': expected auto, bwrap or process");
        };
    }

    private static Sandbox bwrap(Path scratchDir) throws IOException {
        BwrapSandbox sandbox = BwrapSandbox.open(scratchDir);
        log.debug("sandbox: bwrap ({})", sandbox.describe()); // `cumulus serve` says which sandbox it runs
        return sandbox;
    }

    private static Sandbox plain(Path scratchDir, String why) {
        log.warn("""
                {}: function instances are NOT isolated. They run as plain processes of the node, \
                as its user, with its filesystem and network, and with NO memory, pids or CPU limits. \
                Do not run untrusted code. Run `cumulus doctor` to see what this host is missing.""", why);
        return new PlainSandbox(scratchDir);
    }
}
