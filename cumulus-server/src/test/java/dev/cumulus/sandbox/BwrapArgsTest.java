package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BwrapArgsTest {
    @Test
    void commandLineIsolatesEverythingAndEndsWithTheCommand() {
        var root = new SystemRoot(List.of("--ro-bind", "/usr", "/usr"));
        var spec = new SandboxSpec("i1", List.of("--looks-like-an-option"), Map.of("K", "V"),
                List.of(Mount.readOnly(Path.of("/srv/code"), "/var/task"), Mount.writable(Path.of("/srv/sock"), "/run/api")),
                "/var/task", 128, 32, 1024, false);

        List<String> args = BwrapArgs.build(Path.of("/usr/bin/bwrap"), root, spec);
        String line = String.join(" ", args);

        assertThat(line).startsWith("/usr/bin/bwrap --unshare-all --unshare-user --disable-userns")
                .contains("--die-with-parent --new-session --cap-drop ALL --seccomp 9")
                .contains("--proc /proc --dev /dev --size " + (64L << 20) + " --tmpfs /tmp")
                .contains("--ro-bind /srv/code /var/task --bind /srv/sock /run/api --remount-ro /")
                .contains("--clearenv --setenv K V --chdir /var/task -- --looks-like-an-option")
                .doesNotContain("--share-net");
        System.out.println(line);
    }
}
