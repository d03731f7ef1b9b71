package dev.cumulus.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Creates per-instance cgroups on whichever cgroup version the host runs. */
sealed interface CgroupDriver permits CgroupV1, CgroupV2 {

    /** The directory, under each hierarchy, that holds all instance cgroups. */
    String PARENT = "cumulus";

    /** E.g. {@code v1 memory=/sys/fs/cgroup/memory pids=...}, for logs and the doctor. */
    String describe();

    /** Every controller we use, with whether a child cgroup can be created and limited there. */
    Map<String, String> controllerProblems();

    InstanceCgroup create(String instanceId, CgroupLimits limits) throws IOException;

    /** Picks v2 when /sys/fs/cgroup itself is cgroup2 (a hybrid host's unified mount has no controllers). */
    static CgroupDriver detect() throws IOException {
        return detect(Mountinfo.read());
    }

    static CgroupDriver detect(List<Mountinfo> mounts) throws IOException {
        for (Mountinfo m : mounts) {
            if (m.fsType().equals("cgroup2") && m.mountPoint().equals("/sys/fs/cgroup")) {
                return new CgroupV2(Path.of(m.mountPoint()));
            }
        }
        return CgroupV1.from(mounts);
    }
}
