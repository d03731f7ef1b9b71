package dev.cumulus.users;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.converter.AttestedCredentialDataConverter;
import com.webauthn4j.converter.util.ObjectConverter;
import com.webauthn4j.credential.CredentialRecordImpl;
import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.AuthenticationParameters;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.attestation.authenticator.AttestedCredentialData;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.NoneAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End users' passkeys (WebAuthn Level 3, ADR 0032), verified with webauthn4j: registration by a
 * signed-in user and login with a discoverable credential, each against a one-time challenge the
 * node issued (5 minutes), the project's relying party ID and origin ({@code passkeyRpId},
 * {@code passkeyOrigin} in the user settings), user presence and user verification required,
 * ES256 or RS256 keys, and the signature counter kept. The app's page runs the browser's
 * ceremony ({@code navigator.credentials.create/get}) and posts the credential's JSON
 * ({@code PublicKeyCredential.toJSON()}) here.
 */
final class Passkeys {
    private static final Logger LOG = LoggerFactory.getLogger(Passkeys.class);
    static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    private static final int BODY_LIMIT = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final List<PublicKeyCredentialParameters> ALGORITHMS = List.of(
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256));

    private final EndUsers users;
    private final Database db;
    private final Clock clock;

    /**
     * webauthn4j's converters and verifier, made on the first passkey request (class
     * initialisation of the holder): building their Jackson mappers took a noticeable share of
     * every node's start, for a feature most projects never call. They are stateless and shared.
     */
    private static final class WebAuthn {
        static final ObjectConverter CONVERTER = new ObjectConverter();
        // "non-strict": attestation statements are not checked against vendors' roots (passkeys
        // answer "none"); everything the login's security rests on (challenge, origin, RP ID,
        // flags, signature, counter) is
        static final WebAuthnManager MANAGER = WebAuthnManager.createNonStrictWebAuthnManager(CONVERTER);
        static final AttestedCredentialDataConverter ATTESTED = new AttestedCredentialDataConverter(CONVERTER);
    }

    Passkeys(EndUsers users, Database db, Clock clock) {
        this.users = users;
        this.db = db;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                users.open(Route.post("/v1/auth/passkeys/register/options"), "users:PasskeyRegisterOptions",
                        this::registerOptions),
                users.open(Route.post("/v1/auth/passkeys/register"), "users:PasskeyRegister", this::register),
                users.open(Route.post("/v1/auth/passkeys/login/options"), "users:PasskeyLoginOptions",
                        this::loginOptions),
                users.open(Route.post("/v1/auth/passkeys/login"), "users:PasskeyLogin", this::login));
    }

    /** The project's relying party: its ID (a domain) and the one origin its pages run on. */
    private record RelyingParty(String id, String origin) {}

    private RelyingParty relyingParty(String project) {
        Map<String, Object> settings = db.withConnection(c -> UserStore.settings(c, project));
        Object id = settings.get("passkeyRpId");
        Object origin = settings.get("passkeyOrigin");
        if (id == null || origin == null) {
            throw new ApiException(404, "PasskeysNotEnabled", "this project has not enabled passkeys "
                    + "(passkeyRpId and passkeyOrigin in /v1/user-settings)");
        }
        return new RelyingParty(id.toString(), origin.toString());
    }

    private String challenge(String project, String purpose, String userId) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String challenge = B64URL.encodeToString(bytes);
        Instant now = clock.instant();
        db.inTransaction(c -> {
            PasskeyStore.insertChallenge(c, EndUsers.sha256(challenge),
                    new PasskeyStore.Challenge(project, purpose, userId, now.plus(CHALLENGE_TTL)), now);
            return null;
        });
        return challenge;
    }

    /** {@code POST .../auth/passkeys/register/options} (bearer): the options for {@code navigator.credentials.create}. */
    private void registerOptions(Call call) throws Exception {
        String project = users.project(call);
        EndUsers.Body.read(call, java.util.Set.of());
        UserStore.User user = users.signedIn(call, project);
        RelyingParty rp = relyingParty(project);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("challenge", challenge(project, "register", user.id()));
        options.put("rp", Map.of("id", rp.id(), "name", project));
        String name = user.email() == null ? user.id() : user.email();
        options.put("user", Map.of("id", B64URL.encodeToString(user.id().getBytes(StandardCharsets.UTF_8)),
                "name", name, "displayName", name));
        options.put("pubKeyCredParams", List.of(Map.of("type", "public-key", "alg", -7),
                Map.of("type", "public-key", "alg", -257)));
        options.put("authenticatorSelection", Map.of("residentKey", "required", "requireResidentKey", true,
                "userVerification", "required"));
        options.put("attestation", "none");
        options.put("timeout", CHALLENGE_TTL.toMillis());
        options.put("excludeCredentials", db.withConnection(c -> PasskeyStore.ofUser(c, project, user.id())).stream()
                .map(p -> Map.of("type", "public-key", "id", p.credentialId())).toList());
        call.json(200, Map.of("publicKey", options));
    }

    /** {@code POST .../auth/passkeys/register} (bearer): the credential the browser created. */
    private void register(Call call) throws Exception {
        String project = users.project(call);
        UserStore.User user = users.signedIn(call, project);
        RelyingParty rp = relyingParty(project);
        String json = new String(Exchange.readBody(call.request(), BODY_LIMIT), StandardCharsets.UTF_8);
        RegistrationData data;
        try {
            data = WebAuthn.MANAGER.parseRegistrationResponseJSON(json);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("InvalidCredential", "the body is not a WebAuthn registration response "
                    + "(PublicKeyCredential.toJSON())");
        }
        if (data.getCollectedClientData() == null || data.getAttestationObject() == null) {
            throw ApiException.badRequest("InvalidCredential", "the registration response lacks its client data or attestation");
        }
        String challenge = B64URL.encodeToString(data.getCollectedClientData().getChallenge().getValue());
        Instant now = clock.instant();
        PasskeyStore.Challenge issued = db.inTransaction(c -> PasskeyStore.takeChallenge(c, project,
                EndUsers.sha256(challenge), "register", now)).filter(ch -> user.id().equals(ch.userId()))
                .orElseThrow(() -> ApiException.badRequest("InvalidChallenge", "unknown, expired, used or another user's challenge"));
        try {
            WebAuthn.MANAGER.verify(data, new RegistrationParameters(new ServerProperty(new Origin(rp.origin()), rp.id(),
                    new DefaultChallenge(challenge)), ALGORITHMS, true, true));
        } catch (RuntimeException e) {
            LOG.info("project {}: a passkey registration of user {} did not verify: {}", project, user.id(), e.getMessage());
            throw ApiException.badRequest("InvalidCredential", "the passkey did not verify");
        }
        var authenticatorData = data.getAttestationObject().getAuthenticatorData();
        AttestedCredentialData credential = authenticatorData.getAttestedCredentialData();
        String id = B64URL.encodeToString(credential.getCredentialId());
        db.inTransaction(c -> {
            if (PasskeyStore.byId(c, project, id).isPresent()) {
                throw ApiException.conflict("PasskeyExists", "this passkey is registered already");
            }
            PasskeyStore.insert(c, new PasskeyStore.Passkey(project, id, issued.userId(),
                    Base64.getEncoder().encodeToString(WebAuthn.ATTESTED.convert(credential)), authenticatorData.getSignCount(),
                    authenticatorData.isFlagBE(), authenticatorData.isFlagBS()), now);
            return null;
        });
        call.json(201, Map.of("credentialId", id, "userId", user.id()));
    }

    /** {@code POST .../auth/passkeys/login/options}: the options for {@code navigator.credentials.get}. */
    private void loginOptions(Call call) throws Exception {
        String project = users.project(call);
        users.abuse().perAddress("login", EndUsers.address(call));
        EndUsers.Body.read(call, java.util.Set.of());
        RelyingParty rp = relyingParty(project);
        // no allowCredentials: a discoverable credential names its user, so nobody learns here
        // whether an address has passkeys
        call.json(200, Map.of("publicKey", Map.of("challenge", challenge(project, "login", null), "rpId", rp.id(),
                "userVerification", "required", "timeout", CHALLENGE_TTL.toMillis())));
    }

    /** {@code POST .../auth/passkeys/login}: the assertion the browser made; answers a session. */
    private void login(Call call) throws Exception {
        String project = users.project(call);
        users.abuse().perAddress("login", EndUsers.address(call));
        RelyingParty rp = relyingParty(project);
        String json = new String(Exchange.readBody(call.request(), BODY_LIMIT), StandardCharsets.UTF_8);
        AuthenticationData data;
        try {
            data = WebAuthn.MANAGER.parseAuthenticationResponseJSON(json);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("InvalidCredential", "the body is not a WebAuthn authentication response "
                    + "(PublicKeyCredential.toJSON())");
        }
        if (data.getCollectedClientData() == null || data.getCredentialId() == null) {
            throw ApiException.badRequest("InvalidCredential", "the authentication response lacks its client data or id");
        }
        String challenge = B64URL.encodeToString(data.getCollectedClientData().getChallenge().getValue());
        Instant now = clock.instant();
        db.inTransaction(c -> PasskeyStore.takeChallenge(c, project, EndUsers.sha256(challenge), "login", now))
                .orElseThrow(Passkeys::refused);
        String id = B64URL.encodeToString(data.getCredentialId());
        PasskeyStore.Passkey passkey = db.withConnection(c -> PasskeyStore.byId(c, project, id)).orElseThrow(Passkeys::refused);
        if (data.getUserHandle() != null && !passkey.userId().equals(new String(data.getUserHandle(), StandardCharsets.UTF_8))) {
            throw refused();
        }
        CredentialRecordImpl record = new CredentialRecordImpl(new NoneAttestationStatement(), true,
                passkey.backupEligible(), passkey.backupState(), passkey.signCount(),
                WebAuthn.ATTESTED.convert(Base64.getDecoder().decode(passkey.attestedData())), null, null, null, null);
        try {
            WebAuthn.MANAGER.verify(data, new AuthenticationParameters(new ServerProperty(new Origin(rp.origin()), rp.id(),
                    new DefaultChallenge(challenge)), record, List.of(data.getCredentialId()), true, true));
        } catch (RuntimeException e) {
            LOG.info("project {}: a passkey login with credential {} did not verify: {}", project, id, e.getMessage());
            throw refused();
        }
        var authenticatorData = data.getAuthenticatorData();
        db.inTransaction(c -> {
            PasskeyStore.used(c, project, id, authenticatorData.getSignCount(), authenticatorData.isFlagBS(), now);
            return null;
        });
        call.json(200, users.passkeySignIn(project, passkey.userId(), EndUsers.address(call)).view());
    }

    private static ApiException refused() {
        return new ApiException(401, "InvalidPasskey", "the passkey was not accepted");
    }
}
