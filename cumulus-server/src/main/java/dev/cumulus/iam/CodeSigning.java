package dev.cumulus.iam;

import dev.cumulus.auth.SigV4;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Code signing (issue 11, part 9): a project that trusts at least one public key accepts only
 * code packages signed by one of them. The signature is detached, over the package's SHA-256
 * digest (the 32 raw bytes), with Ed25519 or ECDSA P-256 (SHA256withECDSA):
 * <pre>openssl dgst -sha256 -binary package.zip &gt; package.sha256
 * openssl pkeyutl -sign -inkey ed25519.pem -rawin -in package.sha256 | base64 -w0</pre>
 * A project without trusted keys does not require signatures. The lead calls {@link #verify}
 * where code is deployed (the functions capability).
 */
public final class CodeSigning {
    private static final int MAX_KEYS = 20;

    /** A trusted key: its id is the first 16 hex digits of the SHA-256 of its encoding. */
    public record TrustedKey(String project, String keyId, String publicKeyPem) {}

    private final Database db;
    private final Clock clock;

    public CodeSigning(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Trusts a public key (PEM {@code -----BEGIN PUBLIC KEY-----}, Ed25519 or EC P-256) for the
     * project's code; from now on the project requires signed packages.
     */
    public TrustedKey trust(String project, String pem) {
        PublicKey key = parse(pem);
        byte[] encoded = key.getEncoded();
        String keyId = HexFormat.of().formatHex(SigV4.sha256(encoded)).substring(0, 16);
        String normalized = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(encoded) + "\n-----END PUBLIC KEY-----\n";
        if (trusted(project).size() >= MAX_KEYS) {
            throw ApiException.badRequest("InvalidParameter", "at most " + MAX_KEYS + " trusted keys per project");
        }
        db.inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM iam_signing_keys WHERE project = ? AND key_id = ?");
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO iam_signing_keys (project, key_id, public_key, created_at) VALUES (?, ?, ?, ?)")) {
                delete.setString(1, project);
                delete.setString(2, keyId);
                delete.executeUpdate();
                insert.setString(1, project);
                insert.setString(2, keyId);
                insert.setString(3, normalized);
                insert.setLong(4, clock.millis());
                return insert.executeUpdate();
            }
        });
        return new TrustedKey(project, keyId, normalized);
    }

    /** Stops trusting a key; false when the project had no such key. */
    public boolean distrust(String project, String keyId) {
        return db.withConnection(c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM iam_signing_keys WHERE project = ? AND key_id = ?")) {
                delete.setString(1, project);
                delete.setString(2, keyId);
                return delete.executeUpdate() > 0;
            }
        });
    }

    public List<TrustedKey> trusted(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT project, key_id, public_key FROM iam_signing_keys WHERE project = ? ORDER BY key_id")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    List<TrustedKey> keys = new ArrayList<>();
                    while (rs.next()) {
                        keys.add(new TrustedKey(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                    return keys;
                }
            }
        });
    }

    /**
     * Returns when the project accepts the package: it trusts no key, or one of its keys signed
     * {@code sha256Hex}.
     *
     * @param signatureBase64 the detached signature, or null when the package came unsigned
     * @throws ApiException 403 {@code CodeSigningRequired} for an unsigned package where signing
     *     is required, 403 {@code InvalidCodeSignature} when no trusted key made the signature
     *     (another key, another package, a tampered one), 400 for a malformed digest or signature
     */
    public void verify(String project, String sha256Hex, String signatureBase64) {
        List<TrustedKey> keys = trusted(project);
        if (keys.isEmpty()) {
            return;
        }
        if (signatureBase64 == null || signatureBase64.isBlank()) {
            throw new ApiException(403, "CodeSigningRequired", "project " + project
                    + " accepts only code signed by one of its trusted keys: sign the package's SHA-256 (docs/iam.md)");
        }
        byte[] digest;
        byte[] signature;
        try {
            digest = HexFormat.of().parseHex(sha256Hex);
            signature = Base64.getDecoder().decode(signatureBase64.strip());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidParameter", "the code's sha256 is hex and its signature base64");
        }
        if (digest.length != 32) {
            throw ApiException.badRequest("InvalidParameter", "a sha256 is 64 hex digits");
        }
        for (TrustedKey trusted : keys) {
            if (verifies(parse(trusted.publicKeyPem()), digest, signature)) {
                return;
            }
        }
        throw new ApiException(403, "InvalidCodeSignature", "no trusted key of project " + project
                + " signed the package " + sha256Hex + " (signed by another key, or the package was changed)");
    }

    private static boolean verifies(PublicKey key, byte[] digest, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "Ed25519");
            verifier.initVerify(key);
            verifier.update(digest);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false; // a malformed signature verifies nothing
        }
    }

    static PublicKey parse(String pem) {
        if (pem == null || !pem.contains("-----BEGIN PUBLIC KEY-----") || !pem.contains("-----END PUBLIC KEY-----")) {
            throw ApiException.badRequest("InvalidParameter", "a public key is PEM: -----BEGIN PUBLIC KEY----- ...");
        }
        String body = pem.substring(pem.indexOf("-----BEGIN PUBLIC KEY-----") + 26, pem.indexOf("-----END PUBLIC KEY-----"))
                .replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidParameter", "the public key's PEM body is not base64");
        }
        for (String algorithm : List.of("Ed25519", "EC")) {
            try {
                PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                if (key instanceof java.security.interfaces.ECPublicKey ec && ec.getParams().getCurve().getField()
                        .getFieldSize() != 256) {
                    throw ApiException.badRequest("InvalidParameter", "an EC key must be on P-256");
                }
                return key;
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next
            }
        }
        throw ApiException.badRequest("InvalidParameter", "the public key is neither Ed25519 nor EC P-256");
    }
}
