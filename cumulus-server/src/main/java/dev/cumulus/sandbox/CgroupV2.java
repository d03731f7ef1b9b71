package dev.cumulus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v2: one tree; {@code cumulus/} must have memory, pids and cpu enabled in its own and its
 * parent's subtree_control, and holds no processes itself (the v2 "no internal processes" rule).
 */
record CgroupV2(Path root) implements CgroupDriver {
    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");

    @Override
    public String describe() {
        return "v2 " + root;
    }

    @Override
    public Map<String, String> controllerProblems() {
        var problems = new LinkedHashMap<String, String>();
        String enabled;
        try {
            enableControllers();
            enabled = CgroupFiles.read(root.resolve(PARENT).resolve("cgroup.subtree_control"));
        } catch (IOException e) {
            enabled = "";
            CONTROLLERS.forEach(c -> problems.put(c, e.getMessage()));
            return problems;
        }
        Set<String> on = Set.of(enabled.trim().split("\\s+"));
        CONTROLLERS.forEach(c -> problems.put(c, on.contains(c) ? null : c + " not enabled in " + root.resolve(PARENT)));
        return problems;
    }

    private Path enableControllers() throws IOException {
        Path parent = root.resolve(PARENT);
        Files.createDirectories(parent);
        String wanted = "+memory +pids +cpu";
        for (Path dir : List.of(root, parent)) {
            String current = CgroupFiles.read(dir.resolve("cgroup.subtree_control"));
            if (!Set.of(current.trim().split("\\s+")).containsAll(CONTROLLERS)) {
                CgroupFiles.write(dir.resolve("cgroup.subtree_control"), wanted);
            }
        }
        return parent;
    }

    @Override
    public InstanceCgroup create(String instanceId, CgroupLimits limits) throws IOException {
        Path dir = Files.createDirectory(enableControllers().resolve(instanceId));
        try {
            CgroupFiles.write(dir.resolve("memory.max"), Long.toString(limits.memoryBytes()));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                CgroupFiles.write(swap, "0");
            }
            CgroupFiles.write(dir.resolve("pids.max"), Integer.toString(limits.pids()));
            CgroupFiles.write(dir.resolve("cpu.weight"), Long.toString(weight(limits.cpuShares())));
            CgroupFiles.write(dir.resolve("cpu.max"), limits.cpuQuotaMicros() + " " + CgroupLimits.CPU_PERIOD_MICROS);
            return new Instance(dir);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** The conversion runc and systemd use from v1 shares [2, 262144] to v2 weight [1, 10000]. */
    static long weight(int shares) {
        long s = Math.clamp(shares, 2, 262_144);
        return 1 + ((s - 2) * 9999) / 262_142;
    }

    private record Instance(Path dir) implements InstanceCgroup {
        @Override
        public List<Path> procsFiles() {
            return List.of(dir.resolve("cgroup.procs"));
        }

        @Override
        public Set<Long> pids() {
            return CgroupFiles.pids(dir.resolve("cgroup.procs"));
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyed(dir.resolve("memory.events"), "oom_kill");
        }

        @Override
        public long pidsLimitHits() {
            return CgroupFiles.keyed(dir.resolve("pids.events"), "max");
        }

        @Override
        public long usageBytes() {
            return CgroupFiles.number(dir.resolve("memory.current"));
        }

        @Override
        public void killAll() {
            Path kill = dir.resolve("cgroup.kill");
            if (Files.exists(kill)) {
                try {
                    CgroupFiles.write(kill, "1");
                    return;
                } catch (IOException e) {
                    // Fall through to signalling pids one by one, as on kernels before 5.14.
                }
            }
            CgroupFiles.killAll(dir.resolve("cgroup.procs"));
        }

        @Override
        public void remove() {
            CgroupFiles.remove(dir);
        }
    }
}
