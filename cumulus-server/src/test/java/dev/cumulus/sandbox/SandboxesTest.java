package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxesTest {
    @TempDir
    Path scratch;

    @Test
    void theDefaultIsolatesOrRefusesNeverFallsBack() {
        Sandbox bwrap = Sandboxes.create(Sandboxes.BWRAP, scratch);

        assertThat(bwrap.kind()).as("these tests need bubblewrap; run `cumulus doctor`").isEqualTo("bwrap");
        assertThat(bwrap.isolated()).isTrue();
    }

    @Test
    void plainProcessesOnlyByTheirOwnName() {
        Sandbox none = Sandboxes.create(Sandboxes.NO_ISOLATION, scratch);

        assertThat(none.kind()).isEqualTo("none");
        assertThat(none.isolated()).isFalse();
    }

    @Test
    void theOldModesAreRefusedWithWhatToUseInstead() {
        for (String old : List.of("process", "auto")) {
            assertThatThrownBy(() -> Sandboxes.create(old, scratch))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no longer exists").hasMessageContaining(Sandboxes.NO_ISOLATION);
        }
    }

    @Test
    void unknownModeIsRejected() {
        assertThatThrownBy(() -> Sandboxes.create("docker", scratch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bwrap or none-i-trust-all-code");
    }

    @Test
    void theRefusalSaysWhatIsMissingTheFixWhatTheDoctorFoundAndTheWayAround() {
        HostReport doctor = new HostReport(List.of(new HostReport.Check("bwrap installed", false, "not found on PATH")));

        String message = Sandboxes.refusal("bwrap not found on PATH (install the bubblewrap package)", doctor);

        assertThat(message).contains("What is missing: bwrap not found on PATH")
                .contains("apt-get install bubblewrap")
                .contains("[FAIL] bwrap installed")
                .contains("cumulus serve --sandbox none-i-trust-all-code");
        assertThat(message.lines().count()).as("one screen").isLessThanOrEqualTo(24);
    }
}
