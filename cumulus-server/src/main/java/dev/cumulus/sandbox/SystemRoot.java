package dev.cumulus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bwrap arguments for the read-only system part of every sandbox: /usr (libraries, the
 * distribution's JDKs, /bin/sh) and the few /etc files a JVM reads. passwd, group, hosts and
 * nsswitch.conf are generated, so no host account or host name is ever visible.
 */
record SystemRoot(List<String> args) {
    static final String HOSTNAME = "cumulus";
    static final int UID = 1000;

    private static final List<String> TOP_LEVEL = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32");

    /** The sandbox's /etc/hosts: only its own names; an instance with egress gets its allowed names too. */
    static final String HOSTS = "127.0.0.1 localhost " + HOSTNAME + "\n::1 localhost ip6-localhost\n";
    /** For an instance with full egress: names may also be looked up in DNS. */
    static final String NSSWITCH_WITH_DNS = "passwd: files\ngroup: files\nhosts: files dns\n";

    private static final Map<String, String> GENERATED_ETC = Map.of(
            "passwd", "sandbox:x:" + UID + ":" + UID + ":sandbox:/tmp:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            "group", "sandbox:x:" + UID + ":\nnogroup:x:65534:\n",
            "nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n",
            "hosts", HOSTS,
            "hostname", HOSTNAME + "\n");

    /** Writes the generated /etc files under {@code scratchDir/.etc} and returns the arguments. */
    static SystemRoot prepare(Path scratchDir) throws IOException {
        var args = new ArrayList<String>(List.of("--ro-bind", "/usr", "/usr"));
        // Merged-/usr hosts have these as symlinks into /usr; older layouts have real directories.
        for (String dir : TOP_LEVEL) {
            Path p = Path.of(dir);
            if (Files.isSymbolicLink(p)) {
                args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
            } else if (Files.isDirectory(p)) {
                args.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        args.addAll(List.of("--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"));
        Path localtime = Path.of("/etc/localtime");
        // The JDK names the default time zone from this link's target, so keep it a link.
        if (Files.isSymbolicLink(localtime)) {
            args.addAll(List.of("--symlink", Files.readSymbolicLink(localtime).toString(), "/etc/localtime"));
        } else if (Files.isRegularFile(localtime)) {
            args.addAll(List.of("--ro-bind", "/etc/localtime", "/etc/localtime"));
        }
        Path etc = Files.createDirectories(scratchDir.resolve(".etc"));
        for (var file : GENERATED_ETC.entrySet()) {
            Path host = etc.resolve(file.getKey());
            Files.writeString(host, file.getValue());
            args.addAll(List.of("--ro-bind", host.toString(), "/etc/" + file.getKey()));
        }
        return new SystemRoot(List.copyOf(args));
    }
}
