package dev.cumulus.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/** Reading and writing cgroupfs control files, shared by both versions. */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) throws IOException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IOException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    static Set<Long> pids(Path procsFile) {
        var pids = new LinkedHashSet<Long>();
        try {
            for (String line : Files.readAllLines(procsFile)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException e) {
            // ENOENT/ENODEV: the cgroup is being or has been removed, so it holds nothing.
            return Set.of();
        }
        return pids;
    }

    /** The value of {@code key} in a flat-keyed file such as memory.events or pids.events, or 0. */
    static long keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    /**
     * Files.readString/readAllBytes trust the size of 0 that procfs and cgroupfs report and read in
     * a way some sysctl handlers answer with a truncated value (max_user_namespaces "96365" reads
     * as "9"); a buffered reader asks for a full page and gets the whole value.
     */
    static String read(Path file) throws IOException {
        return String.join("\n", Files.readAllLines(file));
    }

    static long number(Path file) {
        try {
            return Long.parseLong(read(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static void killAll(Path procsFile) {
        for (long pid : pids(procsFile)) {
            // ProcessHandle checks the start time, so a recycled pid is never hit.
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * rmdir of a cgroup fails with EBUSY until the kernel has finished releasing its last task,
     * which can trail the task's exit slightly, hence the short retry.
     */
    static void remove(Path dir) {
        Poll.until(() -> {
            try {
                Files.deleteIfExists(dir);
                return true;
            } catch (DirectoryNotEmptyException e) {
                return false;
            } catch (IOException e) {
                return false;
            }
        }, Duration.ofSeconds(5));
        if (Files.exists(dir)) {
            throw new UncheckedIOException(new IOException("cgroup " + dir + " could not be removed"));
        }
    }
}
