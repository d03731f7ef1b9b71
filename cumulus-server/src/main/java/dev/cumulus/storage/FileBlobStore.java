package dev.cumulus.storage;

import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Blobs as files under {@code <data dir>/storage}: {@code blobs/<2 hex>/<id>}. A write goes to
 * {@code tmp/}, is fsynced, then renamed into place (atomic on one file system) and the directory
 * fsynced: a blob is whole or absent, also after a crash. What a crash leaves in {@code tmp/} is
 * deleted when the store opens.
 */
public final class FileBlobStore implements BlobStore {
    private static final int BUFFER = 64 * 1024;

    private final Path blobs;
    private final Path tmp;

    private FileBlobStore(Path blobs, Path tmp) {
        this.blobs = blobs;
        this.tmp = tmp;
    }

    /** Opens (creating) the store under {@code root}, deleting temp files a crash left behind. */
    public static FileBlobStore open(Path root) throws IOException {
        PrivateFiles.createDirectory(root);
        Path blobs = root.resolve("blobs");
        Path tmp = root.resolve("tmp");
        PrivateFiles.createDirectory(blobs);
        PrivateFiles.createDirectory(tmp);
        try (Stream<Path> left = Files.list(tmp)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        }
        return new FileBlobStore(blobs, tmp);
    }

    /** The directory partial writes go to; empty after {@link #open} (for tests of crash safety). */
    Path tempDir() {
        return tmp;
    }

    @Override
    public Written write(InputStream in, byte[] expectedMd5, long maxBytes) throws IOException {
        MessageDigest md5 = md5();
        String id = newId();
        Path temp = PrivateFiles.createTempFile(tmp, id + "-");
        long size = 0;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    size += n;
                    if (size > maxBytes) {
                        throw new TooLargeException(maxBytes);
                    }
                    md5.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
                out.flush();
                channel.force(true);
            }
            byte[] digest = md5.digest();
            if (expectedMd5 != null && !MessageDigest.isEqual(expectedMd5, digest)) {
                throw new DigestMismatchException("The Content-MD5 you specified did not match what we received.");
            }
            publish(temp, id);
            return new Written(id, size, digest);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Written concat(List<String> parts) throws IOException {
        MessageDigest md5 = md5();
        String id = newId();
        Path temp = PrivateFiles.createTempFile(tmp, id + "-");
        long size = 0;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                byte[] buffer = new byte[BUFFER];
                for (String part : parts) {
                    try (InputStream in = Files.newInputStream(file(part))) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            md5.update(buffer, 0, n);
                            out.write(buffer, 0, n);
                            size += n;
                        }
                    }
                }
                out.flush();
                channel.force(true);
            }
            publish(temp, id);
            return new Written(id, size, md5.digest());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void publish(Path temp, String id) throws IOException {
        Path target = file(id);
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            PrivateFiles.createDirectory(dir);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the storage directory must be on one file system (tmp/ and blobs/)", e);
        }
        fsyncDirectory(dir);
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory for fsync; the rename is still atomic
        }
    }

    @Override
    public InputStream read(String id, long offset, long length) throws IOException {
        FileChannel channel = FileChannel.open(file(id), StandardOpenOption.READ);
        channel.position(offset);
        return new InputStream() {
            private final InputStream in = Channels.newInputStream(channel);
            private long left = length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public void delete(String id) throws IOException {
        try {
            Files.deleteIfExists(file(id));
        } catch (NoSuchFileException e) {
            // gone already
        }
    }

    @Override
    public int sweep(Predicate<String> referenced) throws IOException {
        int deleted = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(blobs)) {
            for (Path dir : dirs) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        if (!referenced.test(f.getFileName().toString())) {
                            Files.deleteIfExists(f);
                            deleted++;
                        }
                    }
                }
            }
        }
        return deleted;
    }

    private Path file(String id) {
        if (!id.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("not a blob id: " + id);
        }
        return blobs.resolve(id.substring(0, 2)).resolve(id);
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
