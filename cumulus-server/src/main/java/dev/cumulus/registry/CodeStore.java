package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * The bytes of code packages on disk: {@code <dir>/<sha256>.zip} and, once an instance needs
 * them, {@code <dir>/unpacked/<sha256>/}. Files appear only by atomic rename, so a reader never
 * sees a half-written package, even when several nodes share the directory.
 */
final class CodeStore {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;
    private final Path unpackedRoot;
    private final Clock clock;
    // Callers in this JVM wait for one extraction instead of each writing a throw-away copy.
    private final ConcurrentHashMap<String, CompletableFuture<Path>> unpacking = new ConcurrentHashMap<>();

    CodeStore(Path dir, Clock clock) {
        this.dir = dir.toAbsolutePath().normalize();
        this.unpackedRoot = this.dir.resolve("unpacked");
        this.clock = clock;
    }

    static boolean isSha256(String s) {
        return s != null && SHA256.matcher(s).matches();
    }

    /** Streams a package to disk while hashing it; keeps it only if it is a sound zip. */
    StoredPackage receive(InputStream in, long maxBytes) {
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "upload-", ".tmp");
            MessageDigest digest = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    size += n;
                    if (size > maxBytes) {
                        throw ApiException.tooLarge("code package is larger than " + maxBytes + " bytes");
                    }
                    digest.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            if (size == 0) {
                throw ApiException.badRequest("InvalidCode", "code package is empty");
            }
            checkZip(temp);
            String sha = HexFormat.of().formatHex(digest.digest());
            Path target = packagePath(sha);
            if (!Files.exists(target)) {
                // Same name means same bytes, so replacing a concurrent upload's file is harmless.
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            // the time of the last upload: garbage collection spares a package for a while after it
            Files.setLastModifiedTime(target, FileTime.from(clock.instant()));
            return new StoredPackage(sha, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store code package", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    record StoredPackage(String sha256, long sizeBytes) {}

    /** When the package was last uploaded (the file's modification time). */
    Instant lastUploaded(String sha) {
        try {
            return Files.getLastModifiedTime(packagePath(sha)).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH; // gone already
        }
    }

    /**
     * Deletes the package and its unpacked copy. The copy is renamed away first, so a reader
     * never sees it half deleted.
     */
    void remove(String sha) {
        deleteQuietly(packagePath(sha));
        Path unpacked = unpackedRoot.resolve(sha);
        if (Files.isDirectory(unpacked)) {
            try {
                Path doomed = unpackedRoot.resolve(sha + ".removed-" + System.nanoTime());
                Files.move(unpacked, doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursivelyQuietly(doomed);
            } catch (IOException e) {
                deleteRecursivelyQuietly(unpacked);
            }
        }
    }

    boolean exists(String sha) {
        return isSha256(sha) && Files.isRegularFile(packagePath(sha));
    }

    /** Whether the package has a regular file (not a directory) named {@code name}. */
    boolean containsFile(String sha, String name) {
        try (ZipFile zip = new ZipFile(packagePath(sha).toFile())) {
            ZipEntry entry = zip.getEntry(name);
            return entry != null && !entry.isDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read code package " + sha, e);
        }
    }

    /**
     * Whether {@code classFile} is at the package root or inside one of its {@code lib/*.jar}.
     * Library jars are looked into one level deep, never further, and what their entries inflate
     * to counts against {@link ZipEntries#MAX_UNPACKED_BYTES} as a whole: a bomb nested in a
     * library jar costs at most that much work.
     */
    boolean containsClass(String sha, String classFile) {
        try (ZipFile zip = new ZipFile(packagePath(sha).toFile())) {
            if (zip.getEntry(classFile) != null) {
                return true;
            }
            long inflated = 0;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (!isLibJar(entry)) {
                    continue;
                }
                NestedSearch search = nestedJarContains(zip, entry, classFile, inflated);
                if (search.found()) {
                    return true;
                }
                inflated = search.inflated();
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read code package " + sha, e);
        }
    }

    /** The unpacked package, extracted on first use; safe for concurrent callers and nodes. */
    Path unpacked(String sha) {
        if (!exists(sha)) {
            throw ApiException.notFound("code package " + sha + " is not stored");
        }
        Path target = unpackedRoot.resolve(sha);
        if (Files.isDirectory(target)) {
            return target;
        }
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = unpacking.putIfAbsent(sha, mine);
        if (running != null) {
            return await(running);
        }
        try {
            mine.complete(unpackOnce(sha, target));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
        } finally {
            unpacking.remove(sha, mine);
        }
        return await(mine);
    }

    private Path unpackOnce(String sha, Path target) {
        Path temp = null;
        try {
            Files.createDirectories(unpackedRoot);
            if (Files.isDirectory(target)) {
                return target;
            }
            temp = Files.createTempDirectory(unpackedRoot, sha + ".tmp-");
            makeReadableByAll(temp);
            CodeUnpacker.extract(packagePath(sha), temp, ZipEntries.MAX_UNPACKED_BYTES);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Another node renamed its copy first; theirs has the same content.
                if (!Files.isDirectory(target)) {
                    throw e;
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack code package " + sha, e);
        } finally {
            deleteRecursivelyQuietly(temp);
        }
    }

    Path packagePath(String sha) {
        return dir.resolve(sha + ".zip");
    }

    /**
     * Refuses a package that is not a zip, would unpack outside its directory, or is a zip bomb:
     * every entry is inflated once here (and thrown away), so the limits hold for the bytes the
     * package really holds, not the sizes it declares.
     */
    private static void checkZip(Path file) throws IOException {
        Path root = Path.of("/package");
        long inflated = 0;
        int count = 0;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (++count > ZipEntries.MAX_ENTRIES) {
                    throw ZipEntries.tooManyEntries();
                }
                ZipEntries.resolve(root, entry.getName());
                ZipEntries.checkShape(entry.getName());
                if (!entry.isDirectory()) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        inflated = ZipEntries.countInflated(in, inflated);
                    }
                }
            }
        } catch (ZipException | EOFException e) {
            throw ApiException.badRequest("InvalidCode", "code package is not a readable zip or jar: " + e.getMessage());
        }
    }

    private static boolean isLibJar(ZipEntry entry) {
        String name = entry.getName();
        return !entry.isDirectory() && name.startsWith("lib/") && name.endsWith(".jar") && name.indexOf('/', 4) < 0;
    }

    private record NestedSearch(boolean found, long inflated) {}

    private static NestedSearch nestedJarContains(ZipFile zip, ZipEntry jar, String classFile, long inflated)
            throws IOException {
        try (ZipInputStream nested = new ZipInputStream(zip.getInputStream(jar))) {
            for (ZipEntry entry; (entry = nested.getNextEntry()) != null; ) {
                if (entry.getName().equals(classFile)) {
                    return new NestedSearch(true, inflated);
                }
                // read to the entry's end here, counted, rather than let getNextEntry skip it uncounted
                inflated = ZipEntries.countInflated(nested, inflated);
            }
            return new NestedSearch(false, inflated);
        } catch (ZipException | EOFException e) {
            // A broken library jar cannot hold the handler; the search goes on in the others.
            return new NestedSearch(false, inflated);
        }
    }

    private static Path await(CompletableFuture<Path> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // Instances may run as another uid inside the sandbox; they only need to read the code.
    private static void makeReadableByAll(Path directory) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover temp file is harmless: names are random and nothing reads them.
        }
    }

    private static void deleteRecursivelyQuietly(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(CodeStore::deleteQuietly);
        } catch (NoSuchFileException ignored) {
            // Already gone.
        } catch (IOException | UncheckedIOException ignored) {
            // A leftover temp directory is harmless: its name is never looked up.
        }
    }
}
