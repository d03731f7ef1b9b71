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
        var spec = new SandboxSpec("i1", List.of("--looks-like-an-option"), Map.of("K", "secret-value-42"),
                List.of(Mount.readOnly(Path.of("/srv/code"), "/var/task"), Mount.writable(Path.of("/srv/sock"), "/run/api")),
                "/var/task", 128, 32, 1024, Egress.NONE);

        List<String> args = BwrapArgs.build(Path.of("/usr/bin/bwrap"), root, spec);
        String line = String.join(" ", args);

        assertThat(line).startsWith("/usr/bin/bwrap --unshare-all --unshare-user --disable-userns")
                .contains("--die-with-parent --new-session --cap-drop ALL --seccomp 9")
                .contains("--proc /proc --dev /dev --size " + (64L << 20) + " --tmpfs /tmp")
                .contains("--ro-bind /srv/code /var/task --bind /srv/sock /run/api --ro-bind-data")
                .contains("--ro-bind-data 3 /run/cumulus-env --remount-ro / --clearenv --chdir /var/task -- "
                        + "/bin/sh -c " + BwrapArgs.ENV_SCRIPT + " cumulus-env --looks-like-an-option")
                .doesNotContain("--share-net")
                .as("no environment value on the command line").doesNotContain("--setenv").doesNotContain("secret-value-42");
        System.out.println(line);
    }

    @Test
    void theEnvironmentFileQuotesEveryValueSoNoneIsCode() {
        String file = BwrapArgs.environmentFile(Map.of("B", "it's $(rm -rf /) `x`\nline 2", "A", ""));

        assertThat(file).isEqualTo("A=''\nB='it'\\''s $(rm -rf /) `x`\nline 2'\n");
    }
}
