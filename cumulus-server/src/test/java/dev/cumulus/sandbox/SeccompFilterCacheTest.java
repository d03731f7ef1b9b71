package dev.cumulus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompFilterCacheTest {
    @TempDir
    Path dir;

    @Test
    void theProgramIsCompiledOnceAndTheSameBytesAsACompileOfItsOwn() throws IOException {
        Path cached = SeccompFilter.compileCached(dir);
        Path fresh = SeccompFilter.compile(dir.resolve("fresh.bpf"));

        assertThat(cached.getParent()).isEqualTo(dir);
        assertThat(cached.getFileName().toString()).matches("\\.seccomp-[0-9a-f]{64}\\.bpf");
        assertThat(Files.readAllBytes(cached)).isEqualTo(Files.readAllBytes(fresh));

        FileTime old = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(cached, old);
        assertThat(SeccompFilter.compileCached(dir)).isEqualTo(cached);
        assertThat(Files.getLastModifiedTime(cached)).as("a restart reads it, it does not compile again").isEqualTo(old);
    }

    @Test
    void aProgramOfAnotherKeyIsReplacedAndAnEmptyOneCompiledAgain() throws IOException {
        Path stale = Files.write(dir.resolve(".seccomp-" + "0".repeat(64) + ".bpf"), new byte[16]);
        Path cached = SeccompFilter.compileCached(dir);
        assertThat(stale).as("other rules or another libseccomp: nothing reads it").doesNotExist();

        Files.write(cached, new byte[0]); // not a program: compiled again
        assertThat(SeccompFilter.compileCached(dir)).isEqualTo(cached);
        assertThat(Files.size(cached)).isPositive().matches(size -> size % 8 == 0);
    }

    @Test
    void theKeyFollowsLibseccompsFileAndIsAbsentWithoutIt() throws IOException {
        Path libs = Files.createDirectories(dir.resolve("lib"));
        assertThat(SeccompFilter.cacheKey(List.of(libs))).isEmpty();

        Path v1 = Files.writeString(libs.resolve("libseccomp.so.2.5.4"), "one");
        Files.createSymbolicLink(libs.resolve("libseccomp.so.2"), v1.getFileName());
        String first = SeccompFilter.cacheKey(List.of(libs)).orElseThrow();
        assertThat(SeccompFilter.cacheKey(List.of(libs))).contains(first);

        // an upgrade: the link points at another version
        Path v2 = Files.writeString(libs.resolve("libseccomp.so.2.5.5"), "one");
        Files.delete(libs.resolve("libseccomp.so.2"));
        Files.createSymbolicLink(libs.resolve("libseccomp.so.2"), v2.getFileName());
        String upgraded = SeccompFilter.cacheKey(List.of(libs)).orElseThrow();
        assertThat(upgraded).isNotEqualTo(first);

        // the same name rebuilt (another size)
        Files.writeString(v2, "one, rebuilt");
        assertThat(SeccompFilter.cacheKey(List.of(libs)).orElseThrow()).isNotIn(first, upgraded);
    }
}
