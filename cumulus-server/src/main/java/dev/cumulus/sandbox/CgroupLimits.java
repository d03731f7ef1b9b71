package dev.cumulus.sandbox;

/** What one instance's cgroup enforces. */
record CgroupLimits(long memoryBytes, int pids, int cpuShares) {
    static CgroupLimits of(SandboxSpec spec) {
        return new CgroupLimits(spec.memoryMb() * 1024L * 1024L, spec.pidsLimit(), spec.cpuShares());
    }
}
