package dev.cumulus.sandbox;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** Rejects specs that would name a cgroup or directory outside ours, or mount onto odd paths. */
final class SpecChecks {
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private SpecChecks() {}

    static void check(SandboxSpec spec) {
        if (spec.instanceId() == null || !INSTANCE_ID.matcher(spec.instanceId()).matches()) {
            throw new IllegalArgumentException("instance id must match " + INSTANCE_ID + ": " + spec.instanceId());
        }
        if (spec.command().isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        if (spec.memoryMb() <= 0 || spec.pidsLimit() <= 0) {
            throw new IllegalArgumentException("memoryMb and pidsLimit must be positive");
        }
        for (Mount m : spec.mounts()) {
            Path p = Path.of(m.sandboxPath());
            if (!p.isAbsolute() || !p.normalize().equals(p) || p.getNameCount() == 0) {
                throw new IllegalArgumentException("sandbox path must be absolute and normalized: " + m.sandboxPath());
            }
        }
    }
}
