package dev.cumulus.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1: one hierarchy per controller, each with its own {@code cumulus/<instanceId>}.
 * memory and pids are required (they are what keeps one function from taking the node down);
 * cpu is used when mounted.
 */
record CgroupV1(Path memory, Path pids, Path cpu) implements CgroupDriver {

    static CgroupV1 from(List<Mountinfo> mounts) throws IOException {
        Path memory = hierarchy(mounts, "memory");
        Path pids = hierarchy(mounts, "pids");
        if (memory == null || pids == null) {
            throw new IOException("no usable cgroup hierarchy: /sys/fs/cgroup is not cgroup2 and cgroup v1 "
                    + (memory == null ? "memory" : "pids") + " controller is not mounted");
        }
        return new CgroupV1(memory, pids, hierarchy(mounts, "cpu"));
    }

    private static Path hierarchy(List<Mountinfo> mounts, String controller) {
        for (Mountinfo m : mounts) {
            if (m.fsType().equals("cgroup") && m.superOptions().contains(controller)) {
                return Path.of(m.mountPoint());
            }
        }
        return null;
    }

    @Override
    public String describe() {
        return "v1 memory=" + memory + " pids=" + pids + " cpu=" + (cpu == null ? "(not mounted)" : cpu);
    }

    @Override
    public Map<String, String> controllerProblems() {
        var problems = new LinkedHashMap<String, String>();
        problems.put("memory", writableProblem(memory));
        problems.put("pids", writableProblem(pids));
        problems.put("cpu", cpu == null ? "cpu controller not mounted" : writableProblem(cpu));
        return problems;
    }

    private static String writableProblem(Path hierarchy) {
        Path parent = hierarchy.resolve(PARENT);
        try {
            Files.createDirectories(parent);
            return Files.isWritable(parent) ? null : parent + " is not writable";
        } catch (IOException e) {
            return "cannot create " + parent + ": " + e;
        }
    }

    @Override
    public InstanceCgroup create(String instanceId, CgroupLimits limits) throws IOException {
        var created = new ArrayList<Path>();
        try {
            Path mem = make(memory, instanceId, created);
            // memsw must stay >= the memory limit, so the memory limit goes first.
            CgroupFiles.write(mem.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
            Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                CgroupFiles.write(memsw, Long.toString(limits.memoryBytes()));
            }
            Path pid = make(pids, instanceId, created);
            CgroupFiles.write(pid.resolve("pids.max"), Integer.toString(limits.pids()));
            Path cpuDir = null;
            if (cpu != null) {
                cpuDir = make(cpu, instanceId, created);
                CgroupFiles.write(cpuDir.resolve("cpu.shares"), Integer.toString(Math.max(2, limits.cpuShares())));
                CgroupFiles.write(cpuDir.resolve("cpu.cfs_period_us"), Long.toString(CgroupLimits.CPU_PERIOD_MICROS));
                CgroupFiles.write(cpuDir.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuotaMicros()));
            }
            return new Instance(mem, pid, cpuDir);
        } catch (IOException | RuntimeException e) {
            created.reversed().forEach(dir -> {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // Best effort: the original failure is what the caller needs to see.
                }
            });
            throw e;
        }
    }

    private static Path make(Path hierarchy, String instanceId, List<Path> created) throws IOException {
        Path parent = Files.createDirectories(hierarchy.resolve(PARENT));
        Path dir = Files.createDirectory(parent.resolve(instanceId));
        created.add(dir);
        return dir;
    }

    private record Instance(Path memoryDir, Path pidsDir, Path cpuDir) implements InstanceCgroup {
        private List<Path> dirs() {
            return cpuDir == null ? List.of(memoryDir, pidsDir) : List.of(memoryDir, pidsDir, cpuDir);
        }

        @Override
        public List<Path> procsFiles() {
            return dirs().stream().map(d -> d.resolve("cgroup.procs")).toList();
        }

        @Override
        public Set<Long> pids() {
            var all = new LinkedHashSet<Long>();
            procsFiles().forEach(f -> all.addAll(CgroupFiles.pids(f)));
            return all;
        }

        @Override
        public long oomKills() {
            return CgroupFiles.keyed(memoryDir.resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public long pidsLimitHits() {
            return CgroupFiles.keyed(pidsDir.resolve("pids.events"), "max");
        }

        @Override
        public long usageBytes() {
            return CgroupFiles.number(memoryDir.resolve("memory.usage_in_bytes"));
        }

        @Override
        public void killAll() {
            procsFiles().forEach(CgroupFiles::killAll);
        }

        @Override
        public void remove() {
            dirs().forEach(CgroupFiles::remove);
        }
    }
}
