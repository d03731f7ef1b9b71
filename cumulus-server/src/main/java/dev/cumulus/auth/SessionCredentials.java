package dev.cumulus.auth;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Temporary credentials the node mints for one function instance (ADR 0039), in the shape of
 * AWS's session credentials so the AWS SDKs' default chains pick them up from the environment.
 * Random, never stored, never in any key table: they exist only in the instance's memory and in
 * the node's record of that instance, and the node accepts them only on requests that arrive
 * through that instance's own Runtime API socket. They die with the instance.
 */
public record SessionCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
    /** Access key ids of session credentials start like AWS's temporary ones. */
    public static final String ID_PREFIX = "ASIA";
    private static final SecureRandom RANDOM = new SecureRandom();

    public static SessionCredentials mint() {
        byte[] id = new byte[10];
        byte[] secret = new byte[30];
        byte[] token = new byte[48];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        RANDOM.nextBytes(token);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new SessionCredentials(ID_PREFIX + HexFormat.of().withUpperCase().formatHex(id), b64.encodeToString(secret),
                b64.encodeToString(token));
    }

    @Override
    public String toString() {
        return "SessionCredentials[" + accessKeyId + "]"; // never the secret or the token in a log
    }
}
