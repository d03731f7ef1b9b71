package dev.cumulus.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Files only the node's user may read: the data dir (mode 700) and what lies at its top (600):
 * the Store, tokens, keys, certificates (issue 10). Subdirectories need no more than their
 * parent's 700, and code packages keep their executable bits.
 */
public final class PrivateFiles {
    static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /** A new, empty 600 file in {@code dir}, named {@code prefix...tmp}. */
    public static Path createTempFile(Path dir, String prefix) throws IOException {
        return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_FILE));
    }

    /** Writes {@code text} to a new 600 file beside {@code file}, then moves it into place at once. */
    public static void write(Path file, String text) throws IOException {
        Path temp = createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName());
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Creates {@code dir} (and missing parents) with mode 700 for {@code dir} itself. */
    public static Path createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_DIR);
            try {
                Files.createDirectory(dir, mode);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another start made it: tightened below like any existing one
            }
        }
        Files.setPosixFilePermissions(dir, OWNER_DIR);
        return dir;
    }

    /**
     * Makes {@code dir} 700 and every regular file directly in it 600.
     *
     * @return what was looser before, as {@code path (mode)}: empty when all was private already
     */
    public static List<String> tighten(Path dir) throws IOException {
        List<String> loosened = new ArrayList<>();
        tighten(dir, OWNER_DIR, loosened);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    tighten(entry, OWNER_FILE, loosened);
                }
            }
        }
        return loosened;
    }

    private static void tighten(Path path, Set<PosixFilePermission> wanted, List<String> loosened) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (!wanted.containsAll(mode)) {
            loosened.add(path + " (" + PosixFilePermissions.toString(mode) + ")");
            Files.setPosixFilePermissions(path, wanted);
        }
    }
}
