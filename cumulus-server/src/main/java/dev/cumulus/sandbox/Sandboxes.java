package dev.cumulus.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and builds the node's {@link Sandbox}. There is no silent fallback (issue 10, ADR
 * 0022): a node either isolates its instances with bubblewrap or was told in words that it must
 * not ({@value #NO_ISOLATION}).
 */
public final class Sandboxes {
    private static final Logger log = LoggerFactory.getLogger(Sandboxes.class);

    /** The default: bubblewrap namespaces with cgroup limits, or no start at all. */
    public static final String BWRAP = "bwrap";
    /** Plain processes of the node; the name is the warning. */
    public static final String NO_ISOLATION = "none-i-trust-all-code";
    /** The Debian/Ubuntu command that installs what the default mode needs. */
    public static final String FIX_COMMAND = "apt-get install bubblewrap";

    private Sandboxes() {}

    /**
     * @param mode {@value #BWRAP} or {@value #NO_ISOLATION}
     * @param scratchDir where per-instance private directories go; created if missing
     * @throws IllegalArgumentException for an unknown mode, with what to use instead
     * @throws SandboxUnavailableException when bwrap cannot work here, with the fix
     */
    public static Sandbox create(String mode, Path scratchDir) {
        switch (mode) {
            case BWRAP, NO_ISOLATION -> { }
            case "process", "auto" -> throw new IllegalArgumentException("sandbox mode '" + mode
                    + "' no longer exists: nodes never fall back to plain processes. Use '" + BWRAP
                    + "' (the default), or '" + NO_ISOLATION + "' to run functions WITHOUT isolation");
            default -> throw new IllegalArgumentException(
                    "unknown sandbox mode '" + mode + "': expected " + BWRAP + " or " + NO_ISOLATION);
        }
        try {
            Files.createDirectories(scratchDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sandbox scratch dir " + scratchDir, e);
        }
        if (mode.equals(NO_ISOLATION)) {
            log.warn("""
                    sandbox mode '{}': function instances are NOT isolated. They run as plain processes of \
                    the node, as its user, with its filesystem (data dir and root token included) and \
                    network, and with NO memory, pids or CPU limits. Every invocation response carries \
                    X-Cumulus-Sandbox: none.""", NO_ISOLATION);
            return new PlainSandbox(scratchDir);
        }
        try {
            BwrapSandbox sandbox = BwrapSandbox.open(scratchDir);
            log.debug("sandbox: bwrap ({})", sandbox.describe()); // `cumulus serve` says which sandbox it runs
            return sandbox;
        } catch (IOException e) {
            throw new SandboxUnavailableException(refusal(e.getMessage(), HostReport.probe()), e);
        }
    }

    /** The one-screen refusal: what is missing, the fix, what the doctor found, the way around. */
    static String refusal(String problem, HostReport doctor) {
        return """
                Cumulus will not start: it cannot sandbox function instances on this host.
                Without a sandbox every function would run as a plain process of the node and could
                read its data dir and root token.

                What is missing: %s

                Fix it (Debian/Ubuntu, as root):  %s
                Then check:                        cumulus doctor (bwrap installed already? its FAIL lines say what else)

                What `cumulus doctor` found:
                %s
                Only for code you trust completely, run without isolation (every response says so):
                  cumulus serve --sandbox %s
                """.formatted(problem, FIX_COMMAND, doctor.render().indent(2).stripTrailing() + "\n", NO_ISOLATION);
    }
}
