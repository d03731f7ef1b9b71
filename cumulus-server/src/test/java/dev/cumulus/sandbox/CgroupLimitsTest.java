package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CgroupLimitsTest {
    private static final long ONE_CPU = CgroupLimits.CPU_PERIOD_MICROS;

    @Test
    void quotaIsOneCpuBelowLambdasFullVcpu() {
        assertThat(CgroupLimits.cpuQuotaMicros(74, 8)).isEqualTo(ONE_CPU); // 128 MB
        assertThat(CgroupLimits.cpuQuotaMicros(2, 8)).isEqualTo(ONE_CPU);
        assertThat(CgroupLimits.cpuQuotaMicros(1024, 8)).isEqualTo(ONE_CPU); // 1,769 MB
    }

    @Test
    void quotaGrowsWithMemoryAboveOneVcpu() {
        assertThat(CgroupLimits.cpuQuotaMicros(2048, 8)).isEqualTo(2 * ONE_CPU);
        assertThat(CgroupLimits.cpuQuotaMicros(1536, 8)).isEqualTo(ONE_CPU * 3 / 2);
    }

    @Test
    void quotaLeavesOneHostCpuFreeButNeverDropsBelowOne() {
        assertThat(CgroupLimits.cpuQuotaMicros(6 * 1024, 4)).isEqualTo(3 * ONE_CPU);
        assertThat(CgroupLimits.cpuQuotaMicros(6 * 1024, 2)).isEqualTo(ONE_CPU);
        assertThat(CgroupLimits.cpuQuotaMicros(6 * 1024, 1)).isEqualTo(ONE_CPU);
    }

    @Test
    void theCpusAnInstanceCanKeepBusyAreItsQuotaRoundedUp() {
        assertThat(SandboxSpec.cpus(148, 8)).as("256 MB").isEqualTo(1);
        assertThat(SandboxSpec.cpus(1024, 8)).as("1,769 MB").isEqualTo(1);
        assertThat(SandboxSpec.cpus(1536, 8)).as("a CPU and a half").isEqualTo(2);
        assertThat(SandboxSpec.cpus(2048, 8)).isEqualTo(2);
        assertThat(SandboxSpec.cpus(6 * 1024, 4)).as("one host CPU left free").isEqualTo(3);
        assertThat(SandboxSpec.cpus(6 * 1024, 2)).as("a two-CPU host").isEqualTo(1);
    }
}
