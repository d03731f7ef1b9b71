package dev.cumulus.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Extracts a code package into an empty directory, refusing entries that would escape it. */
final class CodeUnpacker {
    private CodeUnpacker() {}

    static void extract(Path zipPath, Path target, long maxBytes) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        long written = 0;
        try (ZipFile zip = new ZipFile(zipPath.toFile())) {
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
            }
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
