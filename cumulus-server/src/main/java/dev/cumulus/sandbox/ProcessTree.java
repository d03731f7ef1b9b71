package dev.cumulus.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** What plain mode has instead of a cgroup: the process tree as ProcessHandle sees it. */
final class ProcessTree {
    private ProcessTree() {}

    /**
     * Kills descendants before the root so none is re-parented to init (and out of our sight) in
     * between, and repeats while a fork in flight adds new ones.
     */
    static boolean kill(ProcessHandle root, Duration timeout) {
        return Poll.until(() -> {
            List<ProcessHandle> all = Stream.concat(root.descendants(), Stream.of(root))
                    .filter(ProcessHandle::isAlive).toList();
            all.forEach(ProcessHandle::destroyForcibly);
            return all.isEmpty();
        }, timeout);
    }

    /** Sum of VmRSS over the tree; shared pages are counted once per process. */
    static long residentBytes(ProcessHandle root) {
        return Stream.concat(Stream.of(root), root.descendants())
                .mapToLong(p -> vmRssKb(p.pid()))
                .filter(kb -> kb >= 0)
                .sum() * 1024;
    }

    private static long vmRssKb(long pid) {
        try (var lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}
