package dev.cumulus.sandbox;

/**
 * What one instance's cgroup enforces.
 *
 * @param cpuShares relative weight when instances compete for CPU (1024 = one vCPU's worth)
 * @param cpuQuotaMicros hard CPU time per {@link #CPU_PERIOD_MICROS}: a spinning instance is
 *     throttled at it, whatever else is runnable
 */
record CgroupLimits(long memoryBytes, int pids, int cpuShares, long cpuQuotaMicros) {
    /** The CFS period quotas are counted in (the kernel's default). */
    static final long CPU_PERIOD_MICROS = 100_000;
    /** {@code cpuShares} of one full vCPU: Lambda's 1,769 MB. */
    static final int SHARES_PER_VCPU = 1024;

    static CgroupLimits of(SandboxSpec spec) {
        return new CgroupLimits(spec.memoryMb() * 1024L * 1024L, spec.pidsLimit(), spec.cpuShares(),
                cpuQuotaMicros(spec.cpuShares(), Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Lambda's CPU in proportion to memory ({@code shares / 1024} vCPUs), but never less than one
     * vCPU and never more than all host CPUs but one. Below one vCPU the proportional share stays
     * a weight ({@code cpu.shares}) rather than a cap: a JVM capped at Lambda's 7% of a CPU for
     * 128 MB starts ten times slower (measured: {@code java -version} 1.25 s instead of 0.12 s).
     * Leaving one CPU free means no single instance can take the node's own threads' CPU.
     */
    static long cpuQuotaMicros(int cpuShares, int hostCpus) {
        long most = Math.max(1, hostCpus - 1) * CPU_PERIOD_MICROS;
        long proportional = (long) cpuShares * CPU_PERIOD_MICROS / SHARES_PER_VCPU;
        return Math.min(most, Math.max(CPU_PERIOD_MICROS, proportional));
    }
}
