package dev.cumulus.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Extracts a code package into an empty directory, refusing entries that would escape it. Files
 * a zip marks executable in its unix mode stay executable, and a root {@code bootstrap} always is
 * (Lambda's rule for custom runtimes); nothing else of the stored mode is kept, so every file
 * stays readable by the sandbox's user.
 */
final class CodeUnpacker {
    /** The executable a {@code provided} function starts from, at the package root. */
    static final String BOOTSTRAP = "bootstrap";

    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> ANY_EXECUTE = Set.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    private CodeUnpacker() {}

    static void extract(Path zipPath, Path target, long maxBytes) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        long written = 0;
        try (ZipFile zip = new ZipFile(zipPath.toFile()); FileSystem modes = modes(zipPath)) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path path = ZipEntries.resolve(root, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                try (InputStream in = zip.getInputStream(entry);
                        OutputStream out = Files.newOutputStream(path)) {
                    written = copy(in, out, written, maxBytes);
                }
                if (entry.getName().equals(BOOTSTRAP) || markedExecutable(modes, entry.getName())) {
                    Files.setPosixFilePermissions(path, EXECUTABLE);
                }
            }
        }
    }

    /**
     * The package as a zip file system, which shows each entry's unix mode where java.util.zip
     * hides it; null for a zip it refuses to open (it rejects some names, such as ones with
     * "..", that the extraction loop then refuses with a precise error).
     */
    private static FileSystem modes(Path zipPath) {
        try {
            return FileSystems.newFileSystem(zipPath, Map.of("enablePosixFileAttributes", "true"));
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private static boolean markedExecutable(FileSystem modes, String entryName) {
        if (modes == null) {
            return false;
        }
        try {
            Object stored = Files.getAttribute(modes.getPath(entryName), "zip:permissions");
            return stored instanceof Set<?> permissions && permissions.stream().anyMatch(ANY_EXECUTE::contains);
        } catch (IOException | InvalidPathException | UnsupportedOperationException unreadable) {
            return false; // no unix mode to keep: the file stays as extracted
        }
    }

    // Counts real bytes, not the sizes the zip declares: a crafted zip can lie about those.
    private static long copy(InputStream in, OutputStream out, long written, long maxBytes) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            written += n;
            if (written > maxBytes) {
                throw ZipEntries.tooBig();
            }
            out.write(buffer, 0, n);
        }
        return written;
    }
}
