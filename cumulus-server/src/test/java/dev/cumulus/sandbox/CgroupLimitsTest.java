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
}
