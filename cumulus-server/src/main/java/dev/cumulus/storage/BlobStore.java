package dev.cumulus.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where object bytes live, apart from their metadata (which is in the Store). A blob is written
 * once and never changed: an overwritten object gets a new blob and the old one is deleted after
 * the metadata points elsewhere. The embedded implementation is {@link FileBlobStore}; a cluster
 * needs a shared one (an S3-compatible service), the next step ADR 0026 names.
 */
public interface BlobStore {

    /** A blob just written: its id, its length and the MD5 of its bytes. */
    record Written(String id, long size, byte[] md5) {}

    /**
     * Streams {@code in} to a new blob, computing its MD5 on the way; the blob exists (whole) only
     * once this returns.
     *
     * @param expectedMd5 the client's Content-MD5, or null; a mismatch writes nothing
     * @param maxBytes    more than this is refused (nothing written)
     * @throws DigestMismatchException when {@code expectedMd5} does not match
     * @throws TooLargeException beyond {@code maxBytes}
     */
    Written write(InputStream in, byte[] expectedMd5, long maxBytes) throws IOException;

    /** The concatenation of {@code parts}, as a new blob (a completed multipart upload). */
    Written concat(List<String> parts) throws IOException;

    /** Reads {@code length} bytes from {@code offset}. */
    InputStream read(String id, long offset, long length) throws IOException;

    /** Deletes a blob; nothing when it is gone already. */
    void delete(String id) throws IOException;

    /**
     * Deletes every blob {@code referenced} says nothing points at (left by a crash between the
     * blob's write and its metadata's commit); returns how many.
     */
    int sweep(Predicate<String> referenced) throws IOException;

    /** The client's checksum did not match the bytes. */
    final class DigestMismatchException extends IOException {
        public DigestMismatchException(String message) {
            super(message);
        }
    }

    /** The bytes went past the limit. */
    final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("the body is larger than " + limit + " bytes");
        }
    }
}
