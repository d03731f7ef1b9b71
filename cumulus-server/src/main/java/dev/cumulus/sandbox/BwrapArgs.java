package dev.cumulus.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bwrap command line for one instance. It holds no environment value: the command line of
 * every process is world-readable ({@code ps -eww}), so the environment travels as a file on
 * descriptor {@value #ENV_FD} that bwrap copies into the sandbox at {@value #ENV_FILE}, where a
 * shell exports it and execs the command (issue 10, ADR 0022).
 */
final class BwrapArgs {
    /** The descriptor {@link BwrapSandbox#JOIN_SCRIPT} opens the seccomp program on for bwrap to read. */
    static final int SECCOMP_FD = 9;
    /** The descriptor the launching shell opens on the instance's environment file. */
    static final int ENV_FD = 3;
    /** Where the environment is inside the sandbox: read-only, the instance's own. */
    static final String ENV_FILE = "/run/cumulus-env";
    /** Exports every variable of the environment file, then becomes the instance's command. */
    static final String ENV_SCRIPT = "set -a; . " + ENV_FILE + " || exit 125; set +a; exec \"$@\"";

    private BwrapArgs() {}

    static List<String> build(Path bwrap, SystemRoot root, SandboxSpec spec) {
        return build(bwrap, root, spec, List.of());
    }

    /**
     * @param network arguments that give the instance the network namespace it is launched in
     *     (see {@link #network}); empty for bwrap's own empty one
     */
    static List<String> build(Path bwrap, SystemRoot root, SandboxSpec spec, List<String> network) {
        var args = new ArrayList<String>();
        args.add(bwrap.toString());
        // --unshare-all only *tries* the user namespace; asking for it explicitly makes its
        // absence an error and is required by --disable-userns.
        args.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns",
                "--uid", Integer.toString(SystemRoot.UID), "--gid", Integer.toString(SystemRoot.UID),
                "--hostname", SystemRoot.HOSTNAME,
                "--die-with-parent", "--new-session", "--cap-drop", "ALL"));
        args.addAll(seccomp());
        args.addAll(root.args());
        args.addAll(network);
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        args.addAll(tmp(spec));
        for (Mount m : spec.mounts()) {
            args.addAll(List.of(m.writable() ? "--bind" : "--ro-bind", m.hostPath().toString(), m.sandboxPath()));
        }
        args.addAll(List.of("--ro-bind-data", Integer.toString(ENV_FD), ENV_FILE));
        // Last, because every mount point above is created in the root tmpfs first.
        args.addAll(List.of("--remount-ro", "/"));
        args.add("--clearenv");
        args.addAll(List.of("--chdir", spec.workingDirectory()));
        args.add("--");
        args.addAll(List.of("/bin/sh", "-c", ENV_SCRIPT, "cumulus-env"));
        args.addAll(spec.command());
        return args;
    }

    /**
     * For an instance launched inside a namespace of its own ({@link EgressNetworks}): bwrap keeps
     * that namespace instead of making an empty one, and the instance sees its own /etc/hosts
     * (with the allowed names); with full egress also the host's resolver and a name service
     * switch that asks it.
     */
    static List<String> network(Egress egress, Path hostsFile, Path nsswitchWithDns) {
        var args = new ArrayList<String>(List.of("--share-net", "--ro-bind", hostsFile.toString(), "/etc/hosts"));
        Path resolv = Path.of("/etc/resolv.conf");
        if (egress.mode() == Egress.Mode.FULL && java.nio.file.Files.exists(resolv)) {
            args.addAll(List.of("--ro-bind", resolv.toString(), "/etc/resolv.conf",
                    "--ro-bind", nsswitchWithDns.toString(), "/etc/nsswitch.conf"));
        }
        return args;
    }

    /** bwrap installs the program read from {@link #SECCOMP_FD} right before it execs the command. */
    static List<String> seccomp() {
        return List.of("--seccomp", Integer.toString(SECCOMP_FD));
    }

    /**
     * A fresh tmpfs of at most half the memory limit. Its pages are charged to the instance's
     * memory cgroup anyway; the cap makes a full /tmp a clean ENOSPC for the writer instead of
     * an OOM kill of the whole instance.
     */
    static List<String> tmp(SandboxSpec spec) {
        return List.of("--size", Long.toString(tmpBytes(spec.memoryMb())), "--tmpfs", "/tmp");
    }

    static long tmpBytes(int memoryMb) {
        return memoryMb * 1024L * 1024L / 2;
    }

    /**
     * The environment as {@code sh} reads it: one {@code NAME='value'} line per variable, the
     * value single-quoted (a quote inside becomes {@code '\''}), so no value is ever code.
     * Names are validated where they come from ({@code [A-Za-z_][A-Za-z0-9_]*}).
     */
    static String environmentFile(Map<String, String> environment) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable cannot be passed: " + e.getKey());
            }
            out.append(e.getKey()).append("='").append(e.getValue().replace("'", "'\\''")).append("'\n");
        }
        return out.toString();
    }
}
