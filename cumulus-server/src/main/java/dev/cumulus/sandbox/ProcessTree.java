package dev.cumulus.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.stream.Stream;

/** What plain mode has instead of a cgroup: the process tree as ProcessHandle sees it. */
final class ProcessTree {
    private ProcessTree() {}

    /**
     * Kills descendants before the root, repeating while a fork in flight adds new ones, and waits
     * until every process seen is gone: orphans leave root.descendants() once re-parented to init
     * but may still be dying (ProcessHandle counts a zombie as alive until init reaps it).
     */
    static boolean kill(ProcessHandle root, Duration timeout) {
        var seen = new LinkedHashSet<ProcessHandle>();
        return Poll.until(() -> {
            Stream.concat(root.descendants(), Stream.of(root)).forEach(seen::add);
            seen.forEach(ProcessHandle::destroyForcibly);
            return seen.stream().noneMatch(ProcessHandle::isAlive);
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
