package dev.cumulus.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unpacker on its own, fed packages the code store would already refuse at upload. */
class CodeUnpackerTest {
    @TempDir
    Path dir;

    @Test
    void extractsFilesAndDirectories() throws Exception {
        Path zip = write(Zips.zip(Map.of("a/", new byte[0], "a/b/C.class", Zips.text("c"), "top.txt", Zips.text("t"))));
        Path target = Files.createDirectory(dir.resolve("out"));

        CodeUnpacker.extract(zip, target, 1_000);

        assertThat(target.resolve("a/b/C.class")).hasContent("c");
        assertThat(target.resolve("top.txt")).hasContent("t");
    }

    @Test
    void refusesEntriesThatEscapeTheTarget() throws Exception {
        for (String evil : new String[] {"../evil.txt", "a/../../evil.txt", "/etc/evil.txt"}) {
            Path zip = write(Zips.zip(Map.of(evil, Zips.text("x"))));
            Path target = Files.createDirectories(dir.resolve("out-" + evil.hashCode()));

            assertThatThrownBy(() -> CodeUnpacker.extract(zip, target, 1_000))
                    .as(evil)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidCode"));
            assertThat(dir.resolve("evil.txt")).doesNotExist();
        }
    }

    @Test
    void stopsAtTheUnpackedSizeLimitCountingRealBytes() throws Exception {
        Path zip = write(Zips.zip(Map.of("big.bin", new byte[10_000])));
        Path target = Files.createDirectory(dir.resolve("out"));

        assertThatThrownBy(() -> CodeUnpacker.extract(zip, target, 5_000))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidCode"));
    }

    @Test
    void keepsTheExecutableBitOfEntriesWithAUnixMode() throws Exception {
        Path zip = dir.resolve("modes.zip");
        try (var fs = java.nio.file.FileSystems.newFileSystem(zip, Map.of("create", "true", "enablePosixFileAttributes", "true"))) {
            Files.writeString(fs.getPath("run.sh"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(fs.getPath("run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
            Files.writeString(fs.getPath("data.txt"), "d");
            Files.setPosixFilePermissions(fs.getPath("data.txt"), PosixFilePermissions.fromString("rw-------"));
        }
        Path target = Files.createDirectory(dir.resolve("out"));

        CodeUnpacker.extract(zip, target, 1_000);

        assertThat(Files.getPosixFilePermissions(target.resolve("run.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.isExecutable(target.resolve("data.txt"))).isFalse();
        assertThat(Files.isReadable(target.resolve("data.txt"))).isTrue();
    }

    @Test
    void makesARootBootstrapExecutableEvenWithoutAUnixMode() throws Exception {
        Path zip = write(Zips.zip(Map.of("bootstrap", Zips.text("#!/bin/sh\n"), "lib/bootstrap", Zips.text("x"))));
        Path target = Files.createDirectory(dir.resolve("out"));

        CodeUnpacker.extract(zip, target, 1_000);

        assertThat(Files.getPosixFilePermissions(target.resolve("bootstrap")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.isExecutable(target.resolve("lib/bootstrap"))).isFalse();
    }

    private Path write(byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(dir, "pkg", ".zip"), bytes);
    }
}
