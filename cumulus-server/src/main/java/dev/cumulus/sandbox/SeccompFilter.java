package dev.cumulus.sandbox;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The system calls no sandboxed process may make, compiled by libseccomp into the classic-BPF
 * program bwrap installs with {@code --seccomp FD} (see docs/adr/0021-seccomp-and-sandbox-limits.md).
 *
 * <p>A deny-list: everything not named here is allowed, so any runtime (the JVM, Python, a shell,
 * a static binary) keeps working. What it names is what Docker's and Flatpak's default profiles
 * deny and a function has no business doing: the kernel keyring, tracing or reading other
 * processes, loading kernel code, eBPF and perf, userfaultfd, namespaces and mounts (already
 * refused by the dropped capabilities: belt and braces), file handles, clocks, swap, reboot,
 * io_uring, terminal injection and the rarely used socket families.
 *
 * <p>The program is compiled here with the host's libseccomp (called through the JDK's foreign
 * function API; {@code libseccomp2} is a dependency of apt, so every Debian and Ubuntu host has
 * it) rather than by a BPF generator of our own: libseccomp is what Docker, systemd and Flatpak
 * use, and it gets the syscall numbers and the architecture checks right.
 */
final class SeccompFilter {
    /** {@code AUDIT_ARCH_X86_64}: the only architecture the deny-list has been written for. */
    private static final int ARCH_X86_64 = 0xc000003e;
    private static final int ACT_ALLOW = 0x7fff0000;
    private static final int EPERM = 1;
    private static final int ENOSYS = 38;
    private static final int EAFNOSUPPORT = 97;
    // enum scmp_compare
    private static final int CMP_NE = 1;
    private static final int CMP_EQ = 4;
    private static final int CMP_GE = 5;
    private static final int CMP_MASKED_EQ = 7;
    /** Namespace flags of clone(2): creating any namespace is refused (clone3 is refused whole). */
    private static final long[] CLONE_NEW = {0x00000080L /* TIME */, 0x00020000L /* NS */, 0x02000000L /* CGROUP */,
            0x04000000L /* UTS */, 0x08000000L /* IPC */, 0x10000000L /* USER */, 0x20000000L /* PID */,
            0x40000000L /* NET */};
    /** Socket families a function may open: unix, inet, inet6 and netlink (glibc's getaddrinfo uses it). */
    private static final int[] ALLOWED_FAMILIES = {1, 2, 10, 16};
    private static final long TIOCSTI = 0x5412;
    private static final long TIOCLINUX = 0x541c;

    /** One rule: {@code syscall} fails with {@code errno} (when {@code condition} holds, if any). */
    record Rule(String syscall, int errno, Condition condition) {
        Rule(String syscall, int errno) {
            this(syscall, errno, null);
        }
    }

    /** A comparison of one argument of the call, as libseccomp's {@code struct scmp_arg_cmp}. */
    record Condition(int arg, int op, long a, long b) {}

    /** Every rule, in the order they are added. */
    static final List<Rule> RULES = rules();

    private SeccompFilter() {}

    private static List<Rule> rules() {
        var rules = new ArrayList<Rule>();
        // the kernel keyring is not namespaced: keys of the host would be one guess away
        denyAll(rules, EPERM, "add_key", "keyctl", "request_key");
        // other processes' memory and state
        denyAll(rules, EPERM, "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
                "pidfd_getfd", "move_pages", "migrate_pages");
        // kernel code and the kernel's largest unprivileged attack surfaces
        denyAll(rules, EPERM, "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                "bpf", "perf_event_open", "userfaultfd", "lookup_dcookie", "uselib", "modify_ldt", "iopl", "ioperm");
        // namespaces and mounts: no capabilities to do them with anyway, so these are belt and braces
        denyAll(rules, EPERM, "unshare", "setns", "mount", "umount2", "pivot_root", "chroot");
        for (long flag : CLONE_NEW) {
            rules.add(new Rule("clone", EPERM, new Condition(0, CMP_MASKED_EQ, flag, flag)));
        }
        // seccomp cannot read clone3's flags (they are in a struct); ENOSYS makes glibc fall back to clone
        denyAll(rules, ENOSYS, "clone3");
        denyAll(rules, ENOSYS, "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr");
        // opening files by handle walks around the mount namespace ("shocker")
        denyAll(rules, EPERM, "open_by_handle_at", "name_to_handle_at");
        // the whole host's state
        denyAll(rules, EPERM, "swapon", "swapoff", "reboot", "acct", "settimeofday", "clock_settime", "clock_adjtime",
                "adjtimex", "syslog", "quotactl", "quotactl_fd", "nfsservctl", "ustat", "sysfs", "_sysctl");
        // io_uring bypasses seccomp for the operations it performs and has had many kernel bugs
        denyAll(rules, ENOSYS, "io_uring_setup", "io_uring_enter", "io_uring_register");
        // only Linux's own personality: no READ_IMPLIES_EXEC, no ADDR_NO_RANDOMIZE (Flatpak's rule)
        rules.add(new Rule("personality", EPERM, new Condition(0, CMP_NE, 0, 0)));
        // typing into the terminal of whoever started the node (bwrap's --new-session also prevents it)
        for (long request : new long[] {TIOCSTI, TIOCLINUX}) {
            rules.add(new Rule("ioctl", EPERM, new Condition(1, CMP_MASKED_EQ, 0xffffffffL, request)));
        }
        // socket families outside the allowed ones (AF_PACKET, AF_ALG, AF_VSOCK, ...), as Flatpak does
        int previous = 0;
        for (int allowed : ALLOWED_FAMILIES) {
            IntStream.range(previous + 1, allowed).forEach(family ->
                    rules.add(new Rule("socket", EAFNOSUPPORT, new Condition(0, CMP_EQ, family, 0))));
            previous = allowed;
        }
        rules.add(new Rule("socket", EAFNOSUPPORT, new Condition(0, CMP_GE, previous + 1, 0)));
        return List.copyOf(rules);
    }

    private static void denyAll(List<Rule> rules, int errno, String... syscalls) {
        for (String syscall : syscalls) {
            rules.add(new Rule(syscall, errno));
        }
    }

    /**
     * Compiles {@link #RULES} for this host and writes the program to {@code file} (mode 0600,
     * replaced atomically).
     *
     * @throws IOException naming what is missing when the filter cannot be built here: another
     *     architecture, no libseccomp, or a rule libseccomp refuses
     */
    static Path compile(Path file) throws IOException {
        String arch = System.getProperty("os.arch");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            throw new IOException("the seccomp filter is only written for x86_64; this host is " + arch
                    + ", so no sandbox can be started here");
        }
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".seccomp-", ".tmp"); // 0600
        try (Arena arena = Arena.ofConfined()) {
            LibSeccomp lib = LibSeccomp.load(arena);
            if (lib.archNative() != ARCH_X86_64) {
                throw new IOException("libseccomp reports native architecture 0x"
                        + Integer.toHexString(lib.archNative()) + ", not x86_64");
            }
            MemorySegment ctx = lib.init(ACT_ALLOW);
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IOException("seccomp_init failed");
            }
            try {
                for (Rule rule : RULES) {
                    lib.add(arena, ctx, rule);
                }
                lib.export(arena, ctx, temp);
            } finally {
                lib.release(ctx);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        long size = Files.size(temp);
        if (size == 0 || size % 8 != 0) { // a program is a sequence of 8-byte sock_filter instructions
            Files.deleteIfExists(temp);
            throw new IOException("libseccomp wrote a malformed BPF program (" + size + " bytes)");
        }
        return Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Where libseccomp.so.2 lives on Debian, Ubuntu and the Red Hat family. */
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/usr/lib64"), Path.of("/lib"),
            Path.of("/usr/lib"));

    /**
     * The program for this host from {@code cacheDir}, compiled there first if it is not yet
     * (ADR 0043): binding libseccomp through the foreign function API and compiling cost a
     * restart 30 to 50 ms of CPU for the same bytes every time. The file is named after a
     * SHA-256 of everything the program depends on: the rules, the architecture, the JVM, and
     * libseccomp's file (its resolved name carries the version; size and modification time catch
     * a package update). When libseccomp is not in a known directory there is no key and the
     * program is compiled as before, at {@code cacheDir/.seccomp.bpf}.
     */
    static Path compileCached(Path cacheDir) throws IOException {
        java.util.Optional<String> key = cacheKey(LIBRARY_DIRS);
        if (key.isEmpty()) {
            return compile(cacheDir.resolve(".seccomp.bpf"));
        }
        Path cached = cacheDir.resolve(".seccomp-" + key.get() + ".bpf");
        if (Files.isRegularFile(cached, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long size = Files.size(cached);
            if (size > 0 && size % 8 == 0) { // written whole (atomic move) by compile below
                return cached;
            }
        }
        // older programs of other rules or libraries: nothing reads them any more
        try (var old = Files.newDirectoryStream(cacheDir, ".seccomp-*.bpf")) {
            for (Path file : old) {
                Files.deleteIfExists(file);
            }
        }
        return compile(cached);
    }

    /** The cache key, or empty when libseccomp.so.2 is in none of {@code libraryDirs}. */
    static java.util.Optional<String> cacheKey(List<Path> libraryDirs) throws IOException {
        for (Path dir : libraryDirs) {
            Path library = dir.resolve("libseccomp.so.2");
            if (Files.exists(library)) {
                Path real = library.toRealPath();
                var digest = sha256();
                for (String part : List.of("seccomp-cache/1", RULES.toString(), String.valueOf(System.getProperty("os.arch")),
                        Runtime.version().toString(), real.toString(), String.valueOf(Files.size(real)),
                        Files.getLastModifiedTime(real).toString())) {
                    byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    digest.update((bytes.length + ":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    digest.update(bytes);
                }
                return java.util.Optional.of(java.util.HexFormat.of().formatHex(digest.digest()));
            }
        }
        return java.util.Optional.empty();
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The few libseccomp and libc functions compiling needs, bound through the foreign function API. */
    private record LibSeccomp(MethodHandle init, MethodHandle resolve, MethodHandle ruleAdd, MethodHandle exportBpf,
            MethodHandle releaseCtx, MethodHandle archNativeFn, MethodHandle open, MethodHandle close) {
        private static final int O_WRONLY = 01;
        private static final int O_TRUNC = 01000;
        private static final int O_CLOEXEC = 02000000;
        /** {@code struct scmp_arg_cmp}: unsigned arg, enum op, then two 64-bit datums. */
        private static final long ARG_CMP_SIZE = 24;

        static LibSeccomp load(Arena arena) throws IOException {
            SymbolLookup seccomp;
            try {
                seccomp = SymbolLookup.libraryLookup("libseccomp.so.2", arena);
            } catch (IllegalArgumentException e) {
                throw new IOException("libseccomp.so.2 not found: install the libseccomp2 package "
                        + "(apt-get install libseccomp2)", e);
            }
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            var ptr = ValueLayout.ADDRESS;
            var i32 = ValueLayout.JAVA_INT;
            return new LibSeccomp(
                    bind(linker, seccomp, "seccomp_init", FunctionDescriptor.of(ptr, i32)),
                    bind(linker, seccomp, "seccomp_syscall_resolve_name", FunctionDescriptor.of(i32, ptr)),
                    bind(linker, seccomp, "seccomp_rule_add_array", FunctionDescriptor.of(i32, ptr, i32, i32, i32, ptr)),
                    bind(linker, seccomp, "seccomp_export_bpf", FunctionDescriptor.of(i32, ptr, i32)),
                    bind(linker, seccomp, "seccomp_release", FunctionDescriptor.ofVoid(ptr)),
                    bind(linker, seccomp, "seccomp_arch_native", FunctionDescriptor.of(i32)),
                    linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(i32, ptr, i32, i32),
                            Linker.Option.firstVariadicArg(2)),
                    linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(i32, i32)));
        }

        private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor signature)
                throws IOException {
            return linker.downcallHandle(lib.find(name).orElseThrow(() ->
                    new IOException("libseccomp has no " + name + " (libseccomp 2.5 or later is needed)")), signature);
        }

        int archNative() throws IOException {
            return (int) call(() -> (int) archNativeFn.invokeExact());
        }

        MemorySegment init(int defaultAction) throws IOException {
            return (MemorySegment) call(() -> (MemorySegment) init.invokeExact(defaultAction));
        }

        void add(Arena arena, MemorySegment ctx, Rule rule) throws IOException {
            int nr = (int) call(() -> (int) resolve.invokeExact(arena.allocateFrom(rule.syscall())));
            if (nr == -1) { // __NR_SCMP_ERROR
                throw new IOException("libseccomp does not know system call " + rule.syscall());
            }
            MemorySegment args = MemorySegment.NULL;
            int count = 0;
            if (rule.condition() != null) {
                Condition c = rule.condition();
                args = arena.allocate(ARG_CMP_SIZE, 8);
                args.set(ValueLayout.JAVA_INT, 0, c.arg());
                args.set(ValueLayout.JAVA_INT, 4, c.op());
                args.set(ValueLayout.JAVA_LONG, 8, c.a());
                args.set(ValueLayout.JAVA_LONG, 16, c.b());
                count = 1;
            }
            int action = 0x00050000 | rule.errno(); // SCMP_ACT_ERRNO
            MemorySegment cmp = args;
            int n = count;
            int rc = (int) call(() -> (int) ruleAdd.invokeExact(ctx, action, nr, n, cmp));
            if (rc != 0) {
                throw new IOException("libseccomp refused the rule for " + rule.syscall() + ": error " + -rc);
            }
        }

        void export(Arena arena, MemorySegment ctx, Path file) throws IOException {
            MemorySegment path = arena.allocateFrom(file.toString());
            int fd = (int) call(() -> (int) open.invokeExact(path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0600));
            if (fd < 0) {
                throw new IOException("cannot open " + file + " to write the seccomp filter");
            }
            try {
                int rc = (int) call(() -> (int) exportBpf.invokeExact(ctx, fd));
                if (rc != 0) {
                    throw new IOException("seccomp_export_bpf failed: error " + -rc);
                }
            } finally {
                call(() -> (int) close.invokeExact(fd));
            }
        }

        void release(MemorySegment ctx) throws IOException {
            call(() -> {
                releaseCtx.invokeExact(ctx);
                return null;
            });
        }

        private interface NativeCall {
            Object run() throws Throwable;
        }

        private static Object call(NativeCall nativeCall) throws IOException {
            try {
                return nativeCall.run();
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("libseccomp call failed: " + t, t);
            }
        }
    }

    /** For logs and the doctor: how many rules, for which architecture. */
    static String describe() {
        return "seccomp " + RULES.size() + " deny rules (x86_64)";
    }
}
