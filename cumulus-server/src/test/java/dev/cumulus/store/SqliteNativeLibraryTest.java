package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {
    @TempDir
    Path data;

    @Test
    void theLibraryIsExtractedOnceIntoADirectoryNamedAfterItsCrcAndSize() throws IOException {
        Path library = SqliteNativeLibrary.extract(data).orElseThrow();

        byte[] shipped = shipped();
        assertThat(Files.readAllBytes(library)).isEqualTo(shipped);
        assertThat(library.getFileName().toString()).isEqualTo(LibraryLoaderUtil.getNativeLibName());
        assertThat(library.getParent().getFileName().toString())
                .isEqualTo("sqlite-%08x-%d".formatted(crc(shipped), shipped.length));
        assertThat(library.getParent().getParent()).isEqualTo(data.resolve("native"));
        try (var leftovers = Files.list(library.getParent())) {
            assertThat(leftovers).as("no temporary file stays behind").containsExactly(library);
        }

        FileTime old = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(library, old);
        assertThat(SqliteNativeLibrary.extract(data)).contains(library);
        assertThat(Files.getLastModifiedTime(library)).as("a good copy is not written again").isEqualTo(old);
    }

    @Test
    void aDamagedCopyIsReplaced() throws IOException {
        Path library = SqliteNativeLibrary.extract(data).orElseThrow();
        byte[] damaged = Files.readAllBytes(library);
        damaged[damaged.length / 2] ^= 0x5a; // same size, other bytes: only the CRC can tell
        Files.write(library, damaged);

        assertThat(SqliteNativeLibrary.extract(data)).contains(library);
        assertThat(Files.readAllBytes(library)).isEqualTo(shipped());

        Files.write(library, new byte[] {1, 2, 3}); // truncated
        assertThat(SqliteNativeLibrary.extract(data)).contains(library);
        assertThat(Files.readAllBytes(library)).isEqualTo(shipped());
    }

    @Test
    void propertiesTheOperatorSetAreLeftAlone() {
        String before = System.getProperty(SqliteNativeLibrary.PATH_PROPERTY);
        System.setProperty(SqliteNativeLibrary.PATH_PROPERTY, "/opt/sqlite");
        try {
            assertThat(SqliteNativeLibrary.useFrom(data)).isEmpty();
            assertThat(System.getProperty(SqliteNativeLibrary.PATH_PROPERTY)).isEqualTo("/opt/sqlite");
            assertThat(data.resolve("native")).doesNotExist();
        } finally {
            if (before == null) {
                System.clearProperty(SqliteNativeLibrary.PATH_PROPERTY);
            } else {
                System.setProperty(SqliteNativeLibrary.PATH_PROPERTY, before);
            }
        }
    }

    private static byte[] shipped() throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = LibraryLoaderUtil.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return in.readAllBytes();
        }
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
