package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxesTest {
    @TempDir
    Path scratch;

    @Test
    void autoPicksWhatTheDoctorSays() {
        Sandbox auto = Sandboxes.create("auto", scratch);
        boolean bwrapUsable = HostReport.probe().checks().stream()
                .filter(c -> c.name().equals("bwrap sandbox starts")).findFirst().orElseThrow().ok();

        assertThat(auto.kind()).isEqualTo(bwrapUsable ? "bwrap" : "process");
        assertThat(auto.isolated()).isEqualTo(bwrapUsable);
    }

    @Test
    void processModeIsNotIsolated() {
        assertThat(Sandboxes.create("process", scratch).kind()).isEqualTo("process");
    }

    @Test
    void unknownModeIsRejected() {
        assertThatThrownBy(() -> Sandboxes.create("docker", scratch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auto, bwrap or process");
    }
}
