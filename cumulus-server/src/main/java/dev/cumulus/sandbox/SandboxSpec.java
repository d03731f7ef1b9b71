package dev.cumulus.sandbox;

import java.util.List;
import java.util.Map;

/**
 * What to run and within which limits.
 *
 * @param instanceId unique per instance; names the cgroup and the private /tmp
 * @param command the program and its arguments, with paths as given by {@link Sandbox#visiblePath}
 * @param environment the complete environment: nothing of the node's own leaks in
 * @param mounts what the process may see besides the system's read-only runtime files
 * @param workingDirectory where the process starts (a visible path)
 * @param memoryMb hard memory limit; the kernel kills the process beyond it
 * @param pidsLimit most processes and threads the instance may have at once
 * @param cpuShares relative CPU weight (Lambda gives CPU in proportion to memory)
 * @param egress where the process may open connections; {@link Egress#NONE} for no network at all
 */
public record SandboxSpec(
        String instanceId,
        List<String> command,
        Map<String, String> environment,
        List<Mount> mounts,
        String workingDirectory,
        int memoryMb,
        int pidsLimit,
        int cpuShares,
        Egress egress) {
    public SandboxSpec {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        mounts = List.copyOf(mounts);
        java.util.Objects.requireNonNull(egress, "egress");
    }

    /**
     * The CPUs an instance of {@code cpuShares} can keep busy at once, whole: its cgroup's quota
     * ({@link CgroupLimits#cpuQuotaMicros}) on this host, rounded up.
     */
    public static int cpus(int cpuShares) {
        return cpus(cpuShares, Runtime.getRuntime().availableProcessors());
    }

    static int cpus(int cpuShares, int hostCpus) {
        long quota = CgroupLimits.cpuQuotaMicros(cpuShares, hostCpus);
        return (int) ((quota + CgroupLimits.CPU_PERIOD_MICROS - 1) / CgroupLimits.CPU_PERIOD_MICROS);
    }
}
