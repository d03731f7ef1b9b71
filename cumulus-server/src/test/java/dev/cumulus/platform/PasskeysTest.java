package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.webauthn4j.converter.AttestationObjectConverter;
import com.webauthn4j.converter.AuthenticatorDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.data.attestation.AttestationObject;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.authenticator.AuthenticatorData;
import com.webauthn4j.data.attestation.authenticator.EC2COSEKey;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.extension.authenticator.AuthenticationExtensionAuthenticatorOutput;
import com.webauthn4j.data.extension.authenticator.RegistrationExtensionAuthenticatorOutput;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End users' passkeys on a real node, with a software authenticator built here from the WebAuthn
 * data formats (webauthn4j's converters encode its CBOR; the JDK signs with ES256): a signed-in
 * user registers one, logs in with it, and every replayed, foreign or forged ceremony is refused.
 */
class PasskeysTest {
    static final String RP_ID = "shop.example";
    static final String ORIGIN = "https://shop.example";
    static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    @TempDir
    static Path dataDir;

    static MailNode mailNode;
    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        mailNode = MailNode.start(dataDir);
        node = mailNode.node();
        HttpResponse<String> settings = node.send("PUT", "/v1/user-settings",
                "{\"passkeyRpId\":\"" + RP_ID + "\",\"passkeyOrigin\":\"" + ORIGIN + "\"}");
        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        mailNode.close();
    }

    /** A platform authenticator holding one ES256 passkey, as a browser's would (user present and verified). */
    static final class SoftAuthenticator {
        final ObjectConverter converter = new ObjectConverter();
        final KeyPair keys;
        final byte[] credentialId = new byte[16];
        byte[] userHandle;
        long counter;

        SoftAuthenticator() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            keys = generator.generateKeyPair();
            new SecureRandom().nextBytes(credentialId);
        }

        String create(JsonNode options, String origin, String rpId) throws Exception {
            JsonNode publicKey = options.path("publicKey");
            userHandle = Base64.getUrlDecoder().decode(publicKey.path("user").path("id").asText());
            byte[] clientData = clientData("webauthn.create", publicKey.path("challenge").asText(), origin);
            AttestedCredentialData credential = new AttestedCredentialData(AAGUID.ZERO, credentialId,
                    EC2COSEKey.create((ECPublicKey) keys.getPublic(), COSEAlgorithmIdentifier.ES256));
            AuthenticatorData<RegistrationExtensionAuthenticatorOutput> data = new AuthenticatorData<>(sha256(rpId),
                    (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV | AuthenticatorData.BIT_AT), counter,
                    credential);
            byte[] attestation = new AttestationObjectConverter(converter).convertToBytes(
                    new AttestationObject(data, new NoneAttestationStatement()));
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("clientDataJSON", B64URL.encodeToString(clientData));
            response.put("attestationObject", B64URL.encodeToString(attestation));
            response.put("transports", java.util.List.of("internal"));
            return credential(response);
        }

        String get(String challenge, String origin, String rpId, byte flags) throws Exception {
            byte[] clientData = clientData("webauthn.get", challenge, origin);
            byte[] authenticatorData = new AuthenticatorDataConverter(converter).convert(
                    new AuthenticatorData<AuthenticationExtensionAuthenticatorOutput>(sha256(rpId), flags, ++counter));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(keys.getPrivate());
            signer.update(authenticatorData);
            signer.update(sha256(new String(clientData, StandardCharsets.UTF_8)));
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("clientDataJSON", B64URL.encodeToString(clientData));
            response.put("authenticatorData", B64URL.encodeToString(authenticatorData));
            response.put("signature", B64URL.encodeToString(signer.sign()));
            response.put("userHandle", B64URL.encodeToString(userHandle));
            return credential(response);
        }

        String get(String challenge) throws Exception {
            return get(challenge, ORIGIN, RP_ID, (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV));
        }

        private String credential(Map<String, Object> response) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", B64URL.encodeToString(credentialId));
            out.put("rawId", B64URL.encodeToString(credentialId));
            out.put("type", "public-key");
            out.put("response", response);
            out.put("clientExtensionResults", Map.of());
            out.put("authenticatorAttachment", "platform");
            return TestNode.write(out);
        }

        private static byte[] clientData(String type, String challenge, String origin) {
            return ("{\"type\":\"" + type + "\",\"challenge\":\"" + challenge + "\",\"origin\":\"" + origin
                    + "\",\"crossOrigin\":false}").getBytes(StandardCharsets.UTF_8);
        }
    }

    static byte[] sha256(String text) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> post(String path, String body, String token) {
        return node.send("POST", "/v1/projects/default/auth/" + path, body, token);
    }

    static JsonNode signedUp(String email) {
        assertThat(post("signup", "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}", null)
                .statusCode()).isEqualTo(202);
        HttpResponse<String> session = post("login", "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\"}", null);
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        return TestNode.json(session);
    }

    static String loginChallenge() {
        HttpResponse<String> options = post("passkeys/login/options", null, null);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        assertThat(TestNode.json(options).path("publicKey").has("allowCredentials")).isFalse();
        return TestNode.json(options).path("publicKey").path("challenge").asText();
    }

    static SoftAuthenticator registered(JsonNode session) throws Exception {
        String token = session.path("accessToken").asText();
        HttpResponse<String> options = post("passkeys/register/options", null, token);
        assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
        JsonNode publicKey = TestNode.json(options).path("publicKey");
        assertThat(publicKey.path("rp").path("id").asText()).isEqualTo(RP_ID);
        assertThat(publicKey.path("authenticatorSelection").path("userVerification").asText()).isEqualTo("required");
        SoftAuthenticator authenticator = new SoftAuthenticator();
        HttpResponse<String> made = post("passkeys/register", authenticator.create(TestNode.json(options), ORIGIN, RP_ID),
                token);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        assertThat(TestNode.json(made).path("userId").asText()).isEqualTo(session.path("userId").asText());
        return authenticator;
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(TestNode.json(response).path("error").asText()).as(response.body()).isEqualTo(code);
    }

    @Test
    void aSignedInUserRegistersAPasskeyAndLogsInWithIt() throws Exception {
        JsonNode session = signedUp("pat@example.com");
        SoftAuthenticator authenticator = registered(session);
        HttpResponse<String> login = post("passkeys/login", authenticator.get(loginChallenge()), null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        JsonNode passkeySession = TestNode.json(login);
        assertThat(passkeySession.path("userId").asText()).isEqualTo(session.path("userId").asText());
        HttpResponse<String> me = node.send("GET", "/v1/projects/default/auth/me", null,
                passkeySession.path("accessToken").asText());
        assertThat(TestNode.json(me).path("email").asText()).isEqualTo("pat@example.com");
        // and again, with a new challenge and a higher counter
        assertThat(post("passkeys/login", authenticator.get(loginChallenge()), null).statusCode()).isEqualTo(200);
    }

    @Test
    void replayedForeignAndForgedCeremoniesAreRefused() throws Exception {
        JsonNode session = signedUp("quinn@example.com");
        SoftAuthenticator authenticator = registered(session);
        String challenge = loginChallenge();
        String assertion = authenticator.get(challenge);
        assertThat(post("passkeys/login", assertion, null).statusCode()).isEqualTo(200);
        assertError(post("passkeys/login", assertion, null), 401, "InvalidPasskey"); // the challenge is spent
        byte uvAndUp = (byte) (AuthenticatorData.BIT_UP | AuthenticatorData.BIT_UV);
        assertError(post("passkeys/login", authenticator.get(loginChallenge(), "https://evil.example", RP_ID, uvAndUp),
                null), 401, "InvalidPasskey");
        assertError(post("passkeys/login", authenticator.get(loginChallenge(), ORIGIN, "evil.example", uvAndUp), null),
                401, "InvalidPasskey");
        assertError(post("passkeys/login", authenticator.get(loginChallenge(), ORIGIN, RP_ID,
                (byte) AuthenticatorData.BIT_UP), null), 401, "InvalidPasskey"); // no user verification
        assertError(post("passkeys/login", authenticator.get(B64URL.encodeToString(new byte[32])), null),
                401, "InvalidPasskey"); // a challenge the node never issued
        SoftAuthenticator stranger = new SoftAuthenticator();
        stranger.userHandle = authenticator.userHandle;
        assertError(post("passkeys/login", stranger.get(loginChallenge()), null), 401, "InvalidPasskey"); // unknown key
        // a key that signs with another credential's id is not that credential
        System.arraycopy(authenticator.credentialId, 0, stranger.credentialId, 0, 16);
        assertError(post("passkeys/login", stranger.get(loginChallenge()), null), 401, "InvalidPasskey");
        // a counter that goes back: a cloned authenticator
        authenticator.counter = 0;
        assertError(post("passkeys/login", authenticator.get(loginChallenge()), null), 401, "InvalidPasskey");

        // registration: only with the user's own, fresh challenge and from the project's origin
        String token = session.path("accessToken").asText();
        HttpResponse<String> options = post("passkeys/register/options", null, token);
        SoftAuthenticator another = new SoftAuthenticator();
        assertError(post("passkeys/register", another.create(TestNode.json(options), "https://evil.example", RP_ID), token),
                400, "InvalidCredential");
        assertError(post("passkeys/register", another.create(TestNode.json(options), ORIGIN, RP_ID), token),
                400, "InvalidChallenge"); // spent by the refused attempt
        JsonNode other = signedUp("rae@example.com");
        HttpResponse<String> mine = post("passkeys/register/options", null, token);
        assertError(post("passkeys/register", another.create(TestNode.json(mine), ORIGIN, RP_ID),
                other.path("accessToken").asText()), 400, "InvalidChallenge");
        assertError(post("passkeys/register/options", null, null), 401, "Unauthorized");
    }

    @Test
    void passkeySettingsAreCheckedAndAProjectWithoutThemHasNone() {
        assertError(node.send("PUT", "/v1/user-settings", "{\"passkeyRpId\":\"shop.example\"}"), 400, "InvalidParameter");
        assertError(node.send("PUT", "/v1/user-settings",
                "{\"passkeyRpId\":\"shop.example\",\"passkeyOrigin\":\"http://shop.example\"}"), 400, "InvalidParameter");
        assertError(node.send("PUT", "/v1/user-settings",
                "{\"passkeyRpId\":\"shop.example\",\"passkeyOrigin\":\"https://evil.example\"}"), 400, "InvalidParameter");
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"blog\"}").statusCode()).isEqualTo(201);
        assertError(node.send("POST", "/v1/projects/blog/auth/passkeys/login/options", null, null), 404,
                "PasskeysNotEnabled");
    }
}
