package dev.cumulus.auth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.cumulus.files.PrivateFiles;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A request body hashed while it streams in, for a signature check that must not come after the
 * node has buffered whatever an unauthenticated client sends: up to {@link #IN_MEMORY} bytes stay
 * on the heap, a larger body goes to a private temp file until the signature over its hash has
 * been checked. Only then does {@link #bytes()} bring it into memory.
 */
public final class SignedBody implements AutoCloseable {
    /** Bodies up to this size are kept on the heap while they are checked. */
    public static final int IN_MEMORY = 64 * 1024;

    private final String sha256Hex;
    private final byte[] small;
    private final Path spilled;

    private SignedBody(String sha256Hex, byte[] small, Path spilled) {
        this.sha256Hex = sha256Hex;
        this.small = small;
        this.spilled = spilled;
    }

    /** Reads {@code in} to its end, hashing it, spilling past {@link #IN_MEMORY} into {@code tempDir}. */
    public static SignedBody read(InputStream in, Path tempDir) throws IOException {
        MessageDigest sha256 = SigV4.newSha256();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while (head.size() <= IN_MEMORY && (n = in.read(buffer)) >= 0) {
            head.write(buffer, 0, n);
        }
        if (head.size() <= IN_MEMORY) {
            byte[] bytes = head.toByteArray();
            return new SignedBody(HexFormat.of().formatHex(sha256.digest(bytes)), bytes, null);
        }
        Path file = PrivateFiles.createTempFile(tempDir, "signed-body-");
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
            head.writeTo(out);
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return new SignedBody(HexFormat.of().formatHex(sha256.digest()), null, file);
    }

    /** The SHA-256 of the body, lower-case hex, as SigV4 signs it. */
    public String sha256Hex() {
        return sha256Hex;
    }

    /** Whether the body waits on disk rather than on the heap. */
    public boolean spilled() {
        return spilled != null;
    }

    /** The body; call it only once the signature over {@link #sha256Hex()} has been checked. */
    public byte[] bytes() throws IOException {
        return small != null ? small : Files.readAllBytes(spilled);
    }

    @Override
    public void close() throws IOException {
        if (spilled != null) {
            Files.deleteIfExists(spilled);
        }
    }
}
