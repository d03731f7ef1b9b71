package dev.cumulus.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The node's root bearer token, created on first start in {@code <data dir>/root-token} with
 * mode 600 and read from there afterwards.
 */
public final class RootToken {
    private final byte[] token;
    private final boolean created;
    private final Path file;

    private RootToken(String token, boolean created, Path file) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.created = created;
        this.file = file;
    }

    public static RootToken loadOrCreate(Path dataDir) throws IOException {
        Path file = dataDir.resolve("root-token");
        if (Files.exists(file)) {
            return new RootToken(Files.readString(file).strip(), false, file);
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = "cmls_" + HexFormat.of().formatHex(random);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException raced) {
            return new RootToken(Files.readString(file).strip(), false, file);
        }
        Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        return new RootToken(token, true, file);
    }

    /** Where the token is kept. */
    public Path file() {
        return file;
    }

    /**
     * Takes back a token this start created, for a start that failed: the next start creates and
     * shows one, instead of leaving a token nobody was shown.
     */
    public void discardIfCreated() throws IOException {
        if (created) {
            Files.deleteIfExists(file);
        }
    }

    public String value() {
        return new String(token, StandardCharsets.UTF_8);
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
        byte[] presented = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token);
    }
}
