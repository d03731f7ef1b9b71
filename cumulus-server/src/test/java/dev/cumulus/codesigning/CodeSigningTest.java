package dev.cumulus.codesigning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Issue 11 part 9 on SQLite and PostgreSQL: unsigned or tampered packages are refused where signing is required. */
class CodeSigningTest {
    private static final byte[] PACKAGE = "the bytes of a code package".getBytes();
    private static final byte[] TAMPERED = "the bytes of a code packagE".getBytes();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void withoutAPolicyUnsignedCodeIsTaken(TestDatabase.Backend backend) throws Exception {
        try (TestDatabase database = TestDatabase.create(backend, dir)) {
            CodeSigning signing = new CodeSigning(database.db(), Clock.systemUTC());

            assertThat(signing.policy("shop")).isEqualTo(CodeSigning.Policy.NONE);
            assertThat(signing.check("shop", sha256(PACKAGE), null)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void whereSigningIsRequiredOnlyATrustedKeysSignatureOverThisPackagePasses(TestDatabase.Backend backend)
            throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair ec = ec();
        KeyPair stranger = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        try (TestDatabase database = TestDatabase.create(backend, dir)) {
            CodeSigning signing = new CodeSigning(database.db(), Clock.systemUTC());
            signing.put("shop", new CodeSigning.Policy(true, List.of(pem(ed), pem(ec))));

            String sha = sha256(PACKAGE);
            assertThat(signing.check("shop", sha, sign(ed.getPrivate(), "Ed25519", digest(PACKAGE)))).isPresent();
            // ECDSA over the package file with SHA-256 is ECDSA over its digest: openssl dgst -sha256 -sign
            assertThat(signing.check("shop", sha, sign(ec.getPrivate(), "SHA256withECDSA", PACKAGE))).isPresent();

            refused(() -> signing.check("shop", sha, null), "CodeSignatureRequired");
            refused(() -> signing.check("shop", sha256(TAMPERED), sign(ed.getPrivate(), "Ed25519", digest(PACKAGE))),
                    "InvalidCodeSignature");
            refused(() -> signing.check("shop", sha, sign(stranger.getPrivate(), "Ed25519", digest(PACKAGE))),
                    "InvalidCodeSignature");
            refused(() -> signing.check("shop", sha, "not base64!"), "InvalidCodeSignature");
            refused(() -> signing.check("shop", sha, Base64.getEncoder().encodeToString(new byte[64])),
                    "InvalidCodeSignature");
            // another project's policy is its own
            assertThat(signing.check("other", sha, null)).isEmpty();
            // the policy survives a restart of the Store
            assertThat(new CodeSigning(database.reopen(), Clock.systemUTC()).policy("shop").trustedKeys()).hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void badPoliciesAreRefusedWithTheEntryNamed(TestDatabase.Backend backend) throws Exception {
        KeyPair rsa = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        KeyPairGenerator k1 = KeyPairGenerator.getInstance("EC");
        k1.initialize(new ECGenParameterSpec("secp384r1"));
        try (TestDatabase database = TestDatabase.create(backend, dir)) {
            CodeSigning signing = new CodeSigning(database.db(), Clock.systemUTC());
            for (String bad : List.of("not a key", pem(rsa), pem(k1.generateKeyPair()))) {
                assertThatThrownBy(() -> signing.put("shop", new CodeSigning.Policy(false, List.of(bad))))
                        .isInstanceOfSatisfying(ApiException.class, e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.getMessage()).contains("trustedKeys[0]");
                        });
            }
            assertThatThrownBy(() -> signing.put("shop", new CodeSigning.Policy(true, List.of())))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("at least one key"));
            assertThat(signing.policy("shop")).isEqualTo(CodeSigning.Policy.NONE);
        }
    }

    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo(code);
        });
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static String sign(PrivateKey key, String algorithm, byte[] message) throws Exception {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(message);
        return Base64.getEncoder().encodeToString(signer.sign());
    }

    private static byte[] digest(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(digest(bytes));
    }
}
