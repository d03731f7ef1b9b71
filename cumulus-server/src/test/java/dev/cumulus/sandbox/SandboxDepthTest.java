package dev.cumulus.sandbox;

import static dev.cumulus.sandbox.Specs.allOutput;
import static dev.cumulus.sandbox.Specs.exit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox's second layer, on real bwrap and cgroups: the seccomp deny-list, the CPU quota
 * and the size of /tmp (docs/adr/0021-seccomp-and-sandbox-limits.md).
 */
@Timeout(120)
class SandboxDepthTest {
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

    private static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu", CgroupDriver.PARENT);

    @TempDir
    static Path scratch;

    static Sandbox sandbox;
    private final List<SandboxProcess> started = new ArrayList<>();

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
    void theJdkRunsUnderTheFilter() throws Exception {
        SandboxProcess p = launch(Specs.spec(List.of(Specs.JDK + "/bin/java", "-Xmx64m", "-XX:+UseSerialGC",
                "-XshowSettings:properties", "-version"), List.of(Mount.readOnly(Path.of(Specs.JDK), Specs.JDK)), 256, 64));

        assertThat(allOutput(p)).contains("openjdk version \"25");
        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
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
