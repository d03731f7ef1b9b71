package dev.cumulus.sandbox;

import static dev.cumulus.sandbox.Specs.allOutput;
import static dev.cumulus.sandbox.Specs.exit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Everything here runs real bwrap with real cgroups; skipped only where the host cannot. */
@Timeout(120)
class BwrapSandboxTest {
    private static final Path MEMORY_CGROUPS = Path.of("/sys/fs/cgroup/memory", CgroupDriver.PARENT);
    private static final Path PIDS_CGROUPS = Path.of("/sys/fs/cgroup/pids", CgroupDriver.PARENT);
    private static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu", CgroupDriver.PARENT);

    /**
     * Calls system calls by number through ctypes and prints {@code name result}: "ok" or the
     * errno's name. Each call is one that succeeds, or fails differently, without the filter
     * (checked by hand on this host with bwrap alone: keyctl, ptrace, personality and
     * socket(AF_VSOCK) succeed, clone3 is EINVAL, io_uring_setup EFAULT, unshare ENOSPC).
     */
    static final String SYSCALLS = """
            import ctypes, errno, sys
            libc = ctypes.CDLL(None, use_errno=True)
            def call(name, nr, *args):
                ctypes.set_errno(0)
                r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
                print(name, "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno()), flush=True)
            call("getpid", 39)
            call("keyctl", 250, 0, -3, 0)                  # KEYCTL_GET_KEYRING_ID of the session keyring
            call("ptrace", 101, 0, 0, 0, 0)                # PTRACE_TRACEME
            call("personality", 135, 0x0040000)            # ADDR_NO_RANDOMIZE
            call("clone3", 435, 0, 0)
            call("io_uring_setup", 425, 1, 0)
            call("unshare", 272, 0x10000000)               # CLONE_NEWUSER
            call("socket_vsock", 41, 40, 1, 0)             # AF_VSOCK: the way out of a VM guest
            call("socket_unix", 41, 1, 1, 0)
            """;

    static final Map<String, String> EXPECTED = expected();

    @TempDir
    static Path scratch;

    static Sandbox sandbox;
    private final List<SandboxProcess> started = new ArrayList<>();

    /** No skipping: a host without a working bwrap fails here, with bwrap's own reason (.ci/run installs it). */
    @BeforeAll
    static void openSandbox() {
        sandbox = Sandboxes.create("bwrap", scratch);
    }

    @AfterEach
    void destroyAll() {
        started.forEach(SandboxProcess::destroy);
    }

    private SandboxProcess launch(SandboxSpec spec) throws IOException {
        SandboxProcess p = sandbox.launch(spec);
        started.add(p);
        return p;
    }

    @Test
    void runsTheJdkAndReturnsItsOutput() throws Exception {
        var spec = Specs.spec(List.of(Specs.JDK + "/bin/java", "-version"),
                List.of(Mount.readOnly(Path.of(Specs.JDK), Specs.JDK)), 256, 64);
        SandboxProcess p = launch(spec);

        assertThat(allOutput(p)).contains("openjdk version \"25");
        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
        assertThat(sandbox.visiblePath(spec.mounts().getFirst())).isEqualTo(Specs.JDK);
    }

    /**
     * bwrap's --die-with-parent is PR_SET_PDEATHSIG, which fires when the launching *thread*
     * ends: launched from a pool thread that later retired, an idle instance was SIGKILLed
     * (issue 9). A sandbox must live until it is destroyed, whatever thread started it.
     */
    @Test
    void aSandboxOutlivesTheThreadThatLaunchedIt() throws Exception {
        var launched = new CompletableFuture<SandboxProcess>();
        Thread launcher = Thread.ofPlatform().name("short-lived-launcher").start(() -> {
            try {
                SandboxProcess p = launch(Specs.sh("echo ready && exec sleep 600"));
                // the thread ends only once bwrap is up: had it ended before bwrap armed its
                // parent-death signal, the child would be re-parented first and never see it
                assertThat(Specs.firstLine(p)).isEqualTo("ready");
                launched.complete(p);
            } catch (Throwable t) {
                launched.completeExceptionally(t);
            }
        });
        SandboxProcess p = launched.get();
        launcher.join();

        // a parent-death signal arrives within milliseconds of the thread's exit; give it seconds
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(p::isAlive);
        assertThat(p.onExit()).isNotDone();
    }

    @Test
    void environmentIsExactlyTheSpecs() throws Exception {
        var spec = new SandboxSpec(Specs.newId(), List.of("/usr/bin/env"), Map.of("A", "1", "B", "two words"),
                List.of(), "/", 64, 16, 1024, Egress.NONE);
        SandboxProcess p = launch(spec);

        // bwrap always exports PWD after --chdir; nothing else besides the spec's gets in.
        assertThat(allOutput(p).lines().sorted()).containsExactly("A=1", "B=two words", "PWD=/");
    }

    @Test
    void hostSecretsAndUnmountedDirsAreInvisible(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("secret"), "x");
        String probe = "for p in /root /home /var /etc/shadow /etc/gshadow /etc/ssh /work " + dataDir
                + " " + dataDir.resolve("secret") + "; do [ -e $p ] && echo visible $p; done; "
                + "cat /etc/passwd | cut -d: -f1 | tr '\\n' ' '; hostname; echo done";
        SandboxProcess p = launch(Specs.sh(probe));

        String out = allOutput(p);
        assertThat(out).doesNotContain("visible").contains("done");
        assertThat(out).contains("sandbox nobody").contains("cumulus").doesNotContain("root");
    }

    @Test
    void readOnlyMountsAndRootCannotBeWrittenWritableMountsCan(@TempDir Path ro, @TempDir Path rw) throws Exception {
        Files.writeString(ro.resolve("in"), "given");
        SandboxProcess p = launch(Specs.sh(
                "cat /in/in; echo; echo x > /in/new && echo ro-written; echo x > /newfile && echo root-written; "
                        + "echo out > /out/result && echo rw-written",
                List.of(Mount.readOnly(ro, "/in"), Mount.writable(rw, "/out"))));

        String out = allOutput(p);
        assertThat(out).contains("given").contains("rw-written").doesNotContain("ro-written").doesNotContain("root-written");
        assertThat(out).contains("Read-only file system");
        assertThat(Files.readString(rw.resolve("result"))).isEqualTo("out\n");
        assertThat(ro.resolve("new")).doesNotExist();
    }

    @Test
    void tmpIsPrivatePerInstance() throws Exception {
        SandboxProcess a = launch(Specs.sh("echo a > /tmp/marker-a && echo ready && exec sleep 600"));
        assertThat(Specs.firstLine(a)).isEqualTo("ready");

        SandboxProcess b = launch(Specs.sh("[ -e /tmp/marker-a ] && echo seen || echo absent; echo x > /tmp/b && echo writable"));

        assertThat(allOutput(b)).contains("absent").contains("writable");
        assertThat(Path.of("/tmp/marker-a")).doesNotExist();
    }

    @Test
    void noNetworkButAUnixSocketInAMountedDirConnects(@TempDir Path socketDir) throws Exception {
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path socketPath = socketDir.resolve("api.sock");
        var accepted = new AtomicInteger();
        try (var tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                var unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            unix.bind(UnixDomainSocketAddress.of(socketPath));
            Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rwxrwxrwx"));
            Thread.ofVirtual().start(() -> {
                try (var tcpClient = tcp.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            Thread.ofVirtual().start(() -> {
                try (var client = unix.accept()) {
                    client.write(ByteBuffer.wrap("hello over unix\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });

            SandboxProcess p = launch(Specs.spec(NetClient.command(tcp.getLocalPort(), "/run/api/api.sock"),
                    NetClient.mounts(Mount.writable(socketDir, "/run/api")), 256, 64));

            String out = allOutput(p);
            assertThat(out).contains("tcp: failed").contains("unix: hello over unix").doesNotContain("tcp: connected");
            assertThat(accepted).hasValue(0);
        }
    }

    @Test
    void shellPastItsMemoryLimitIsOutOfMemory() throws Exception {
        SandboxProcess p = launch(Specs.spec(List.of("/bin/sh", "-c", "x=aaaaaaaa; while :; do x=$x$x; done"),
                List.of(), 32, 16));

        assertThat(exit(p)).isEqualTo(new ExitStatus.OutOfMemory(32));
    }

    @Test
    void jvmPastItsMemoryLimitIsOutOfMemory() throws Exception {
        SandboxProcess p = launch(Specs.spec(
                List.of(Specs.JDK + "/bin/java", "-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-version"),
                List.of(), 128, 64));

        assertThat(exit(p)).isEqualTo(new ExitStatus.OutOfMemory(128));
    }

    @Test
    void residentBytesComesFromTheMemoryCgroup() throws Exception {
        SandboxProcess p = launch(Specs.sh("head -c 20000000 /dev/zero > /tmp/fill && echo ready && exec sleep 600"));
        assertThat(Specs.firstLine(p)).isEqualTo("ready");

        // tmpfs pages are charged to the instance, which is why usage (not rss) is reported.
        assertThat(p.residentBytes()).isGreaterThan(20_000_000L);
    }

    @Test
    void forkBombHitsThePidsLimitAndTheHostSurvives() throws Exception {
        var spec = Specs.spec(List.of("/bin/sh", "-c",
                "(i=0; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); done) 2>/dev/null; echo spawned; exec sleep 600"),
                List.of(), 64, 20);
        SandboxProcess p = launch(spec);

        assertThat(Specs.firstLine(p)).isEqualTo("spawned");
        await().atMost(Duration.ofSeconds(30)).until(p::pidsLimitReached);
        assertThat(Files.readAllLines(PIDS_CGROUPS.resolve(spec.instanceId()).resolve("cgroup.procs")).size()).isLessThanOrEqualTo(20);
        p.destroy();
        assertThat(exit(p)).isEqualTo(new ExitStatus.Destroyed());
        assertThat(p.pidsLimitReached()).isTrue();
        assertThat(new ProcessBuilder("/bin/true").start().waitFor()).isZero();
    }

    @Test
    void exitCodeAndSignalAreReported() throws Exception {
        SandboxProcess exited = launch(Specs.sh("exit 7"));
        SandboxProcess signaled = launch(Specs.sh("kill -TERM $$"));

        assertThat(exit(exited)).isEqualTo(new ExitStatus.Exited(7));
        assertThat(exit(signaled)).isEqualTo(new ExitStatus.Signaled(15));
    }

    @Test
    void destroyLeavesNoProcessAndNoCgroup() throws Exception {
        var spec = Specs.sh("sleep 600 & sleep 600 & (sleep 600 &) ; echo ready; wait");
        SandboxProcess p = launch(spec);
        assertThat(Specs.firstLine(p)).isEqualTo("ready");
        String id = spec.instanceId();
        Path procs = MEMORY_CGROUPS.resolve(id).resolve("cgroup.procs");
        List<Long> pids = Files.readAllLines(procs).stream().map(Long::parseLong).toList();
        assertThat(pids).hasSizeGreaterThanOrEqualTo(5).contains(p.pid());

        p.destroy();

        assertThat(exit(p)).isEqualTo(new ExitStatus.Destroyed());
        assertThat(pids).allSatisfy(pid -> assertThat(Path.of("/proc", pid.toString())).doesNotExist());
        assertThat(MEMORY_CGROUPS.resolve(id)).doesNotExist();
        assertThat(PIDS_CGROUPS.resolve(id)).doesNotExist();
        assertThat(p.isAlive()).isFalse();
        p.destroy();
    }

    @Test
    void naturalExitAlsoRemovesTheCgroups() throws Exception {
        var spec = Specs.sh("echo bye");
        SandboxProcess p = launch(spec);
        String id = spec.instanceId();

        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
        assertThat(MEMORY_CGROUPS.resolve(id)).doesNotExist();
        assertThat(PIDS_CGROUPS.resolve(id)).doesNotExist();
    }

    @Test
    void manyConcurrentInstances() throws Exception {
        int n = 24;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var results = new ArrayList<CompletableFuture<String>>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        SandboxProcess p = sandbox.launch(Specs.sh("echo instance-" + k + " $(hostname)"));
                        String out = allOutput(p);
                        return exit(p) + " " + out.strip();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, pool));
            }
            var outputs = new ArrayList<String>();
            for (var r : results) {
                outputs.add(r.get(90, java.util.concurrent.TimeUnit.SECONDS));
            }
            for (int i = 0; i < n; i++) {
                assertThat(outputs).contains("Exited[code=0] instance-" + i + " cumulus");
            }
        }
        try (var left = Files.list(MEMORY_CGROUPS)) {
            assertThat(left.filter(Files::isDirectory).filter(d -> d.getFileName().toString().startsWith("t-")))
                    .isEmpty();
        }
    }

    @Test
    void rejectsBadIds() {
        var badId = new SandboxSpec("../escape", List.of("/bin/true"), Map.of(), List.of(), "/", 64, 16, 1024, Egress.NONE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sandbox.launch(badId))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the second layer: seccomp, CPU quota, /tmp size (docs/adr/0021-seccomp-and-sandbox-limits.md)

    private static Map<String, String> expected() {
        var expected = new LinkedHashMap<String, String>();
        expected.put("getpid", "ok");
        expected.put("keyctl", "EPERM");
        expected.put("ptrace", "EPERM");
        expected.put("personality", "EPERM");
        expected.put("clone3", "ENOSYS");
        expected.put("io_uring_setup", "ENOSYS");
        expected.put("unshare", "EPERM");
        expected.put("socket_vsock", "EAFNOSUPPORT");
        expected.put("socket_unix", "ok");
        return expected;
    }

    @Test
    void deniedSystemCallsFailWithTheirErrnoAndTheProcessCarriesOn() throws Exception {
        SandboxProcess p = launch(Specs.spec(List.of("/usr/bin/python3", "-c", SYSCALLS), List.of(), 128, 16));

        Map<String, String> results = new LinkedHashMap<>();
        allOutput(p).lines().map(line -> line.split(" ")).forEach(kv -> results.put(kv[0], kv[1]));
        assertThat(results).containsExactlyEntriesOf(EXPECTED);
        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
    }

    /** libseccomp's architecture check: the x32 numbering of keyctl would otherwise walk around the rule. */
    @Test
    void anX32SystemCallKillsTheProcess() throws Exception {
        SandboxProcess p = launch(Specs.spec(List.of("/usr/bin/python3", "-c", """
                import ctypes
                print("before", flush=True)
                ctypes.CDLL(None).syscall(ctypes.c_long(0x40000000 + 250), 0, -3, 0)
                print("after", flush=True)
                """), List.of(), 128, 16));

        assertThat(allOutput(p)).isEqualTo("before\n");
        assertThat(exit(p)).isEqualTo(new ExitStatus.Signaled(31)); // SIGSYS
    }

    @Test
    void fillingTmpPastItsCapIsNoSpaceNotOutOfMemory() throws Exception {
        // 256 MB of memory: /tmp holds 128 MB, so 200 MB of writes stop with ENOSPC
        SandboxProcess p = launch(Specs.sh("dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>&1; echo dd=$?; "
                + "df -k /tmp | tail -1"));

        String out = allOutput(p);
        assertThat(out).contains("No space left on device").contains("dd=1");
        long tmpKb = Long.parseLong(out.lines().reduce((a, b) -> b).orElseThrow().trim().split("\\s+")[1]);
        assertThat(tmpKb * 1024).isEqualTo(BwrapArgs.tmpBytes(256));
        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
    }

    /**
     * Three busy processes in an instance of one vCPU's worth of shares on a host of more CPUs:
     * the kernel throttles the cgroup at its quota. (Its CPU time over wall time would say the
     * same only on an idle host; on a shared one the other load holds it below one CPU anyway.)
     */
    @Test
    void busyProcessesAreThrottledAtTheQuota() throws Exception {
        SandboxSpec spec = Specs.sh("for w in 1 2 3; do (while :; do :; done) & done; wait");
        launch(spec);
        Path cpu = CPU_CGROUPS.resolve(spec.instanceId());

        assertThat(Long.parseLong(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()))
                .isEqualTo(CgroupLimits.cpuQuotaMicros(spec.cpuShares(), Runtime.getRuntime().availableProcessors()));
        await().atMost(Duration.ofSeconds(60)).until(() -> throttledPeriods(cpu) > 0);
    }

    private static long throttledPeriods(Path cgroup) {
        return CgroupFiles.keyed(cgroup.resolve("cpu.stat"), "nr_throttled");
    }
}
