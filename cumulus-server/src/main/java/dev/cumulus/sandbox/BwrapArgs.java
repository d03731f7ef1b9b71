package dev.cumulus.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The bwrap command line for one instance. */
final class BwrapArgs {
    /** The descriptor {@link BwrapSandbox#JOIN_SCRIPT} opens the seccomp program on for bwrap to read. */
    static final int SECCOMP_FD = 9;

    private BwrapArgs() {}

    static List<String> build(Path bwrap, SystemRoot root, SandboxSpec spec) {
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
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        args.addAll(tmp(spec));
        for (Mount m : spec.mounts()) {
            args.addAll(List.of(m.writable() ? "--bind" : "--ro-bind", m.hostPath().toString(), m.sandboxPath()));
        }
        // Last, because every mount point above is created in the root tmpfs first.
        args.addAll(List.of("--remount-ro", "/"));
        args.add("--clearenv");
        for (Map.Entry<String, String> e : new TreeMap<>(spec.environment()).entrySet()) {
            args.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        args.addAll(List.of("--chdir", spec.workingDirectory()));
        args.add("--");
        args.addAll(spec.command());
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
}
