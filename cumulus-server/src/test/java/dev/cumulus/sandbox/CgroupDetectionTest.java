package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupDetectionTest {
    private static final List<String> HYBRID = List.of(
            "25 31 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw",
            "28 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
            "29 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
            "30 25 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids");

    @Test
    void hybridHostUsesV1ControllersWhereverTheyAreMounted() throws IOException {
        CgroupDriver driver = CgroupDriver.detect(Mountinfo.parse(HYBRID));

        assertThat(driver).isEqualTo(new CgroupV1(Path.of("/sys/fs/cgroup/memory"), Path.of("/sys/fs/cgroup/pids"),
                Path.of("/sys/fs/cgroup/cpu,cpuacct")));
    }

    @Test
    void unifiedHostUsesV2() throws IOException {
        var driver = CgroupDriver.detect(Mountinfo.parse(List.of(
                "25 31 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate")));

        assertThat(driver).isEqualTo(new CgroupV2(Path.of("/sys/fs/cgroup")));
    }

    @Test
    void missingPidsControllerIsExplained() {
        assertThatThrownBy(() -> CgroupDriver.detect(Mountinfo.parse(HYBRID.subList(0, 4))))
                .hasMessageContaining("pids");
    }

    @Test
    void escapedMountPointsAreDecoded() {
        assertThat(Mountinfo.parse(List.of("1 2 0:1 / /mnt/a\\040b rw - ext4 /dev/x rw")).getFirst().mountPoint())
                .isEqualTo("/mnt/a b");
    }

    @Test
    void sharesMapToWeightsLikeRunc() {
        assertThat(CgroupV2.weight(2)).isEqualTo(1);
        assertThat(CgroupV2.weight(1024)).isEqualTo(39);
        assertThat(CgroupV2.weight(262_144)).isEqualTo(10_000);
    }
}
