package dev.cumulus.auth;

import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The node's root bearer token (ADR 0022). The node keeps only its SHA-256, in
 * {@code <data dir>/root-token.sha256}: a copy of that file, or of the node's memory, opens
 * nothing. The token itself goes to the operator once, as {@code <data dir>/root-token} (mode
 * 600), the file local CLIs read; the node never reads it back and runs without it.
 *
 * <p>SHA-256 without salt or stretching is enough because the token is 256 random bits: there
 * is no dictionary to try. Comparison is in constant time.
 */
public final class RootToken {
    public static final String CLIENT_FILE = "root-token";
    public static final String HASH_FILE = "root-token.sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final boolean created;
    private volatile byte[] sha256;

    private RootToken(Path dataDir, byte[] sha256, boolean created) {
        this.dataDir = dataDir;
        this.sha256 = sha256;
        this.created = created;
    }

    /**
     * Reads the hash; a data dir from before hashing (only {@code root-token}) gets its hash file
     * from it, the token unchanged. A fresh data dir gets a new token in both files.
     */
    public static synchronized RootToken loadOrCreate(Path dataDir) throws IOException {
        Path hashFile = dataDir.resolve(HASH_FILE);
        if (Files.exists(hashFile)) {
            return new RootToken(dataDir, HexFormat.of().parseHex(Files.readString(hashFile).strip()), false);
        }
        Path clientFile = dataDir.resolve(CLIENT_FILE);
        if (Files.exists(clientFile)) {
            byte[] hash = sha256(Files.readString(clientFile).strip());
            PrivateFiles.write(hashFile, HexFormat.of().formatHex(hash) + "\n");
            return new RootToken(dataDir, hash, false);
        }
        String token = newToken();
        PrivateFiles.write(clientFile, token + "\n");
        byte[] hash = sha256(token);
        PrivateFiles.write(hashFile, HexFormat.of().formatHex(hash) + "\n");
        return new RootToken(dataDir, hash, true);
    }

    /**
     * Replaces the token: the old one stops working with this call. Both files are rewritten
     * (the hash first, so a crash in between leaves a node that accepts only the new token).
     *
     * @return the new token, the only time the node holds it
     */
    public synchronized String rotate() throws IOException {
        String token = newToken();
        byte[] hash = sha256(token);
        PrivateFiles.write(dataDir.resolve(HASH_FILE), HexFormat.of().formatHex(hash) + "\n");
        sha256 = hash;
        PrivateFiles.write(clientFile(), token + "\n");
        return token;
    }

    /** Where local clients read the token: {@code <data dir>/root-token}. */
    public Path clientFile() {
        return dataDir.resolve(CLIENT_FILE);
    }

    /**
     * Takes back a token this start created, for a start that failed: the next start creates and
     * shows one, instead of leaving a token nobody was shown.
     */
    public void discardIfCreated() throws IOException {
        if (created) {
            Files.deleteIfExists(dataDir.resolve(HASH_FILE));
            Files.deleteIfExists(clientFile());
        }
    }

    /** Whether this start created the token (so it is shown once). */
    public boolean created() {
        return created;
    }

    /** Constant-time check of an {@code Authorization} header value. */
    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(sha256(authorizationHeader.substring(7).strip()), sha256);
    }

    private static String newToken() {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return "cmls_" + HexFormat.of().formatHex(random);
    }

    private static byte[] sha256(String token) {
        return SigV4.sha256(token.getBytes(StandardCharsets.UTF_8));
    }
}
