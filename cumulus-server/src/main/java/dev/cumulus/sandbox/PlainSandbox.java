package dev.cumulus.sandbox;

import dev.cumulus.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * Runs the command as an ordinary child of the node: no namespaces, no limits, full network,
 * the node's user and filesystem. Only the environment and a private TMPDIR are the instance's own.
 * Used only in {@link Sandboxes#NO_ISOLATION} mode.
 */
final class PlainSandbox implements Sandbox {
    private final Path scratchDir;

    PlainSandbox(Path scratchDir) {
        this.scratchDir = scratchDir;
    }

    @Override
    public String kind() {
        return "none";
    }

    @Override
    public boolean isolated() {
        return false;
    }

    /** None: a plain process has the host's whole network anyway (the mode's name says so). */
    @Override
    public String egressProblem() {
        return null;
    }

    @Override
    public String visiblePath(Mount mount) {
        return mount.hostPath().toString();
    }

    @Override
    public SandboxProcess launch(SandboxSpec spec) throws IOException {
        SpecChecks.check(spec);
        Path privateDir = Files.createDirectory(scratchDir.resolve(spec.instanceId()));
        Path tmp = Files.createDirectory(privateDir.resolve("tmp"));
        var builder = new ProcessBuilder(spec.command())
                .directory(Path.of(spec.workingDirectory()).toFile())
                .redirectErrorStream(true);
        var env = new HashMap<>(spec.environment());
        env.put("TMPDIR", tmp.toString());
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            return new PlainProcess(Spawner.start(builder), privateDir);
        } catch (IOException | RuntimeException e) {
            FileTrees.delete(privateDir);
            throw e;
        }
    }
}
