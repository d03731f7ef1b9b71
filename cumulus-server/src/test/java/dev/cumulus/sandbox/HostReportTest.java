package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostReportTest {
    @Test
    void probeCoversEverythingTheDoctorPrints() {
        HostReport report = HostReport.probe();

        assertThat(report.checks()).extracting(HostReport.Check::name).contains(
                "bwrap installed", "user namespaces", "seccomp filter", "cgroups", "bwrap sandbox starts", "JDK",
                "cumulus serve");
        assertThat(report.render()).contains("[ OK ] JDK").contains("[ OK ] seccomp filter").contains("cumulus serve");
        assertThat(report.render().lines()).hasSize(report.checks().size());
        System.out.println(report);
    }
}
