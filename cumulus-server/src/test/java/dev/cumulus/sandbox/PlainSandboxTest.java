package dev.cumulus.sandbox;

import static dev.cumulus.sandbox.Specs.allOutput;
import static dev.cumulus.sandbox.Specs.exit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PlainSandboxTest {
    @TempDir
    Path scratch;

    @Test
    void environmentIsTheSpecsPlusAPrivateTmpdir() throws Exception {
        Sandbox sandbox = Sandboxes.create(Sandboxes.NO_ISOLATION, scratch);
        var spec = new SandboxSpec(Specs.newId(), List.of("/usr/bin/env"), Map.of("A", "1"), List.of(), "/", 64, 16, 1024, Egress.NONE);
        SandboxProcess p = sandbox.launch(spec);

        assertThat(allOutput(p).lines().sorted())
                .containsExactly("A=1", "TMPDIR=" + scratch.resolve(spec.instanceId()).resolve("tmp"));
        assertThat(exit(p)).isEqualTo(new ExitStatus.Exited(0));
        assertThat(scratch.resolve(spec.instanceId())).doesNotExist();
        assertThat(sandbox.isolated()).isFalse();
        assertThat(sandbox.visiblePath(Mount.readOnly(Path.of("/srv/code"), "/var/task"))).isEqualTo("/srv/code");
    }

    @Test
    void destroyKillsEveryDescendant() throws Exception {
        Sandbox sandbox = Sandboxes.create(Sandboxes.NO_ISOLATION, scratch);
        SandboxProcess p = sandbox.launch(Specs.sh("sleep 600 & sleep 600 & echo ready; wait"));
        assertThat(Specs.firstLine(p)).isEqualTo("ready");
        List<ProcessHandle> tree = ProcessHandle.of(p.pid()).orElseThrow().descendants().toList();
        assertThat(tree).hasSizeGreaterThanOrEqualTo(2);
        assertThat(p.residentBytes()).isPositive();

        p.destroy();

        assertThat(exit(p)).isEqualTo(new ExitStatus.Destroyed());
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.list(scratch).filter(d -> !d.getFileName().toString().startsWith("."))).isEmpty();
    }

    @Test
    void exitCodeAndSignal() throws Exception {
        Sandbox sandbox = Sandboxes.create(Sandboxes.NO_ISOLATION, scratch);
        assertThat(exit(sandbox.launch(Specs.sh("exit 3")))).isEqualTo(new ExitStatus.Exited(3));
        assertThat(exit(sandbox.launch(Specs.sh("kill -KILL $$")))).isEqualTo(new ExitStatus.Signaled(9));
    }
}
