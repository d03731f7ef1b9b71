package dev.cumulus.codesigning;

import java.io.IOException;
import java.io.StringReader;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A public key a project trusts to sign code: Ed25519 or ECDSA on P-256, given as PEM
 * ({@code -----BEGIN PUBLIC KEY-----}, what {@code openssl pkey -pubout} writes). A signature
 * covers the package's SHA-256 digest (32 bytes): ECDSA as {@code openssl dgst -sha256 -sign}
 * makes it over the package file (the same thing), Ed25519 over the digest bytes themselves.
 *
 * @param id the first 16 hex digits of the SHA-256 of the key's encoding: how listings name it
 */
record SigningKey(String id, String pem, PublicKey key) {

    /**
     * @throws IllegalArgumentException when {@code pem} is not one public key of a supported kind
     */
    static SigningKey parse(String pem) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
            if (parsed != null && parser.readObject() != null) {
                throw new IllegalArgumentException("give one public key per entry");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM public key: " + e.getMessage());
        }
        if (!(parsed instanceof SubjectPublicKeyInfo info)) {
            throw new IllegalArgumentException("not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        }
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable public key: " + e.getMessage());
        }
        if (!isEd25519(key) && !isP256(key)) {
            throw new IllegalArgumentException("code signing keys are Ed25519 or ECDSA P-256, not " + key.getAlgorithm());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return new SigningKey(HexFormat.of().formatHex(digest, 0, 8), pem.strip() + "\n", key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Whether {@code signature} is this key's over the package whose SHA-256 is {@code sha256}. */
    boolean verifies(byte[] sha256, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(isEd25519(key) ? "Ed25519" : "NONEwithECDSA");
            verifier.initVerify(key);
            verifier.update(sha256);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is a signature that does not verify
        }
    }

    private static boolean isEd25519(PublicKey key) {
        return key instanceof java.security.interfaces.EdECKey ed && ed.getParams().getName().equals("Ed25519");
    }

    private static boolean isP256(PublicKey key) {
        if (!(key instanceof ECPublicKey ec)) {
            return false;
        }
        try {
            AlgorithmParameters named = AlgorithmParameters.getInstance("EC");
            named.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec p256 = named.getParameterSpec(ECParameterSpec.class);
            ECParameterSpec params = ec.getParams();
            return params.getCurve().equals(p256.getCurve()) && params.getGenerator().equals(p256.getGenerator())
                    && params.getOrder().equals(p256.getOrder());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
