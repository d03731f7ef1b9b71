package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetTest {
    @TempDir
    Path cwd;

    private void node(Path dataDir, String url, String token) throws Exception {
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("url"), url + "\n");
        Files.writeString(dataDir.resolve("root-token"), token + "\n");
    }

    @Test
    void flagsBeatEnvBeatFiles() throws Exception {
        node(cwd.resolve(".cumulus"), "http://127.0.0.1:8080", "file-token");
        Map<String, String> env = Map.of("CUMULUS_URL", "http://127.0.0.1:9000", "CUMULUS_TOKEN", "env-token");

        Target flags = Target.resolve(new ClientOptions("http://127.0.0.1:7000/", "flag-token", null), env, cwd);
        assertThat(flags.url()).hasToString("http://127.0.0.1:7000");
        assertThat(flags.token()).isEqualTo("flag-token");
        assertThat(flags.urlSource()).isEqualTo("--url");

        Target fromEnv = Target.resolve(new ClientOptions(), env, cwd);
        assertThat(fromEnv.url()).hasToString("http://127.0.0.1:9000");
        assertThat(fromEnv.token()).isEqualTo("env-token");

        Target files = Target.resolve(new ClientOptions(), Map.of(), cwd);
        assertThat(files.url()).hasToString("http://127.0.0.1:8080");
        assertThat(files.token()).isEqualTo("file-token");
        assertThat(files.tokenSource()).isEqualTo(cwd.resolve(".cumulus/root-token").toString());

        Target mixed = Target.resolve(new ClientOptions(null, "flag-token", null), env, cwd);
        assertThat(mixed.url()).hasToString("http://127.0.0.1:9000");
        assertThat(mixed.token()).isEqualTo("flag-token");
    }

    @Test
    void dataDirFromFlagThenEnvThenDefault() throws Exception {
        node(cwd.resolve(".cumulus"), "http://127.0.0.1:1", "default");
        node(cwd.resolve("env-dir"), "http://127.0.0.1:2", "env");
        node(cwd.resolve("flag-dir"), "http://127.0.0.1:3", "flag");
        Map<String, String> env = Map.of("CUMULUS_DATA", "env-dir");
        assertThat(Target.resolve(new ClientOptions(null, null, Path.of("flag-dir")), env, cwd).token()).isEqualTo("flag");
        assertThat(Target.resolve(new ClientOptions(), env, cwd).token()).isEqualTo("env");
        assertThat(Target.resolve(new ClientOptions(), Map.of("CUMULUS_DATA", " "), cwd).token()).isEqualTo("default");
        assertThat(Target.dataDir(null, Map.of(), cwd)).isEqualTo(cwd.resolve(".cumulus"));
    }

    @Test
    void blankEnvIsUnset() throws Exception {
        node(cwd.resolve(".cumulus"), "http://127.0.0.1:8080", "file-token");
        Target t = Target.resolve(new ClientOptions(), Map.of("CUMULUS_URL", "", "CUMULUS_TOKEN", "  "), cwd);
        assertThat(t.token()).isEqualTo("file-token");
    }

    @Test
    void nothingFoundSaysWhereItLooked() {
        assertThatThrownBy(() -> Target.resolve(new ClientOptions(), Map.of(), cwd))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("no --url, no CUMULUS_URL, and no " + cwd.resolve(".cumulus/url"))
                .hasMessageContaining("cumulus serve");
        assertThatThrownBy(() -> Target.resolve(new ClientOptions("http://127.0.0.1:1", null, null), Map.of(), cwd))
                .hasMessageContaining("no API token");
    }

    @Test
    void localRootTokenIsNotSentToARemoteUrl() throws Exception {
        node(cwd.resolve(".cumulus"), "http://127.0.0.1:8080", "file-token");
        assertThatThrownBy(() -> Target.resolve(new ClientOptions("https://cumulus.example.com", null, null), Map.of(), cwd))
                .isInstanceOf(CliException.class).hasMessageContaining("only sent to the local node");
        assertThat(Target.resolve(new ClientOptions("http://localhost:8080", null, null), Map.of(), cwd).token()).isEqualTo("file-token");
        assertThat(Target.resolve(new ClientOptions("http://[::1]:8080", null, null), Map.of(), cwd).token()).isEqualTo("file-token");
        node(cwd.resolve("lan"), "http://10.0.0.5:8080", "lan-token");
        assertThat(Target.resolve(new ClientOptions("http://10.0.0.5:8080/", null, Path.of("lan")), Map.of(), cwd).token())
                .isEqualTo("lan-token");
    }

    @Test
    void badUrlIsAUsageError() {
        assertThatThrownBy(() -> Target.resolve(new ClientOptions("localhost:8080", "t", null), Map.of(), cwd))
                .isInstanceOf(CliException.class).extracting(e -> ((CliException) e).exitCode()).isEqualTo(2);
    }
}
