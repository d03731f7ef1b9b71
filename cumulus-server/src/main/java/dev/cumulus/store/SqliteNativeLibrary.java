package dev.cumulus.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Keeps sqlite-jdbc's native library in the data dir, so that a node does not extract it again
 * at every start (ADR 0043). Left alone, sqlite-jdbc copies the library out of its jar into
 * {@code java.io.tmpdir} under a fresh name each time a JVM loads it, comparing MD5s on the way.
 * Here it is extracted once to {@code <data dir>/native/sqlite-<CRC32>-<SIZE>/}, named after the
 * CRC and size the jar records for the entry, written to a temporary file and moved into place;
 * each start checks the copy's size and CRC against the jar's before pointing
 * {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} at it. A copy that does not match
 * is written again. Anything unexpected leaves sqlite-jdbc to its own way, as before.
 */
final class SqliteNativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteNativeLibrary.class);
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    private SqliteNativeLibrary() {}

    /**
     * Points sqlite-jdbc at the copy of its library in {@code dataDir}, extracting it first if
     * needed; does nothing when the properties are already set (by the operator, or by an earlier
     * Database of this JVM: the library is loaded once per JVM).
     *
     * @return the library file sqlite-jdbc will load, if this call chose it
     */
    static synchronized Optional<Path> useFrom(Path dataDir) {
        if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) {
            return Optional.empty();
        }
        try {
            Optional<Path> library = extract(dataDir);
            library.ifPresent(file -> {
                System.setProperty(PATH_PROPERTY, file.getParent().toString());
                System.setProperty(NAME_PROPERTY, file.getFileName().toString());
            });
            return library;
        } catch (IOException | RuntimeException e) {
            LOG.debug("sqlite-jdbc extracts its native library itself: keeping it in {} failed", dataDir, e);
            return Optional.empty();
        }
    }

    /** The verified copy in {@code dataDir}, written if missing or different; empty if the jar has none. */
    static Optional<Path> extract(Path dataDir) throws IOException {
        String name = LibraryLoaderUtil.getNativeLibName();
        URL resource = LibraryLoaderUtil.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);
        if (resource == null) {
            return Optional.empty(); // no library for this OS in the jar: sqlite-jdbc's own search applies
        }
        long[] crcAndSize = recorded(resource);
        Path dir = dataDir.resolve("native").resolve("sqlite-%08x-%d".formatted(crcAndSize[0], crcAndSize[1]));
        Path file = dir.resolve(name);
        if (Files.isRegularFile(file) && matches(file, crcAndSize)) {
            return Optional.of(file);
        }
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + name + "-", ".tmp");
        try {
            try (InputStream in = resource.openStream(); OutputStream out = Files.newOutputStream(temp)) {
                in.transferTo(out);
            }
            if (!matches(temp, crcAndSize)) {
                throw new IOException("the extracted " + name + " does not match the CRC and size of its jar entry");
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return Optional.of(file);
    }

    /** The CRC32 and size the jar's directory records for the entry (no decompression), or computed. */
    private static long[] recorded(URL resource) throws IOException {
        URLConnection connection = resource.openConnection();
        if (connection instanceof JarURLConnection jar) {
            JarEntry entry = jar.getJarEntry();
            if (entry != null && entry.getCrc() != -1 && entry.getSize() != -1) {
                return new long[] {entry.getCrc(), entry.getSize()};
            }
        }
        try (InputStream in = resource.openStream()) {
            return crcAndSize(in);
        }
    }

    private static boolean matches(Path file, long[] crcAndSize) throws IOException {
        if (Files.size(file) != crcAndSize[1]) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            long[] actual = crcAndSize(in);
            return actual[0] == crcAndSize[0] && actual[1] == crcAndSize[1];
        }
    }

    private static long[] crcAndSize(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            crc.update(buffer, 0, n);
            size += n;
        }
        return new long[] {crc.getValue(), size};
    }
}
