package dev.cumulus.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The bwrap command line for one instance. */
final class BwrapArgs {
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
        args.addAll(root.args());
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
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
}
