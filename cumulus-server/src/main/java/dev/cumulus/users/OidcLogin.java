package dev.cumulus.users;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Call;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End users' login through a project's OpenID Connect providers (docs/auth.md, ADR 0032), with
 * the Nimbus OAuth 2.0 / OIDC SDK: the authorization-code flow with PKCE (S256), a random state
 * and nonce per login, the state bound to the browser that started it by an HttpOnly cookie
 * (login CSRF), ID tokens validated against the provider's published keys, issuer, audience,
 * expiry and nonce. The node then answers the app (a redirect URI the project registered, and no
 * other) with a one-time result code that the app redeems for a session with its own PKCE
 * verifier, so tokens never travel in a URL.
 */
final class OidcLogin {
    private static final Logger LOG = LoggerFactory.getLogger(OidcLogin.class);
    static final Duration LOGIN_TTL = Duration.ofMinutes(10);
    static final Duration RESULT_TTL = Duration.ofMinutes(2);
    static final String COOKIE = "cumulus_oidc";
    private static final int HTTP_TIMEOUT_MS = 5_000;
    private static final Set<String> PROVIDER_FIELDS = Set.of("issuer", "clientId", "clientSecret", "redirectUris");

    private final EndUsers users;
    private final Database db;
    private final SecretBox box;
    private final Clock clock;

    OidcLogin(EndUsers users, Database db, SecretBox box, Clock clock) {
        this.users = users;
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    List<Route> routes() {
        return List.of(
                users.open(Route.get("/v1/auth/oidc/{provider}/authorize"), "users:OidcAuthorize", this::authorize),
                users.open(Route.get("/v1/auth/oidc/{provider}/callback"), "users:OidcCallback", this::callback),
                users.open(Route.post("/v1/auth/oidc/token"), "users:OidcToken", this::token),
                Route.get("/v1/user-oidc-providers").authorize("users:ListOidcProviders", "users", "settings")
                        .handle(this::list),
                Route.put("/v1/user-oidc-providers/{name}").authorize("users:PutOidcProvider", "users", "settings")
                        .handle(this::put),
                Route.delete("/v1/user-oidc-providers/{name}").authorize("users:DeleteOidcProvider", "users", "settings")
                        .handle(this::delete));
    }

    // ------------------------------------------------------------------ admin

    private void put(Call call) throws IOException {
        String project = call.project();
        String name = call.param("name");
        if (!name.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw bad("the provider's name is 1 to 32 of a-z 0-9 - (e.g. google), got " + name);
        }
        JsonNode body = Json.parseObject(dev.cumulus.web.Exchange.readBody(call.request(), 16 * 1024));
        body.fieldNames().forEachRemaining(f -> {
            if (!PROVIDER_FIELDS.contains(f)) {
                throw bad("unknown field '" + f + "' (known: clientId, clientSecret, issuer, redirectUris)");
            }
        });
        String issuer = text(body, "issuer", 512);
        requireSafeUrl("issuer", issuer);
        String clientId = text(body, "clientId", 256);
        String secret = text(body, "clientSecret", 1024);
        JsonNode uris = body.get("redirectUris");
        if (uris == null || !uris.isArray() || uris.isEmpty() || uris.size() > 10) {
            throw bad("redirectUris is a list of 1 to 10 app addresses a login may return to");
        }
        List<String> redirectUris = new ArrayList<>();
        for (JsonNode uri : uris) {
            if (!uri.isTextual() || uri.asText().length() > 1024) {
                throw bad("each of redirectUris is an absolute URL of at most 1024 characters");
            }
            requireSafeUrl("redirectUris", uri.asText());
            if (URI.create(uri.asText()).getRawFragment() != null) {
                throw bad("redirectUris may not have a #fragment: " + uri.asText());
            }
            redirectUris.add(uri.asText());
        }
        Instant now = clock.instant();
        OidcStore.Provider provider = new OidcStore.Provider(project, name, issuer, clientId,
                box.seal(secret, aad(project, name)), List.copyOf(redirectUris), now, now);
        db.inTransaction(c -> {
            OidcStore.putProvider(c, provider);
            return null;
        });
        call.json(200, view(provider, call));
    }

    private void list(Call call) throws IOException {
        List<Map<String, Object>> all = db.withConnection(c -> OidcStore.providers(c, call.project(), null)).stream()
                .map(p -> view(p, call)).toList();
        call.json(200, Map.of("providers", all));
    }

    private void delete(Call call) throws IOException {
        if (!db.inTransaction(c -> OidcStore.deleteProvider(c, call.project(), call.param("name")))) {
            throw ApiException.notFound("no OIDC provider '" + call.param("name") + "' in project " + call.project());
        }
        call.noContent();
    }

    /** A provider as admins see it: never its secret; with the callback URL to register at the provider. */
    private static Map<String, Object> view(OidcStore.Provider p, Call call) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("issuer", p.issuer());
        m.put("clientId", p.clientId());
        m.put("redirectUris", p.redirectUris());
        m.put("callbackUrl", callbackUri(call, p.project(), p.name()));
        m.put("updatedAt", p.updatedAt().toString());
        return m;
    }

    // ------------------------------------------------------------------ the flow

    /**
     * {@code GET .../auth/oidc/{provider}/authorize?redirect_uri=APP&code_challenge=C&code_challenge_method=S256}:
     * starts a login and redirects the browser to the provider.
     */
    private void authorize(Call call) throws Exception {
        String project = users.project(call);
        users.abuse().perAddress("login", EndUsers.address(call));
        OidcStore.Provider provider = provider(project, call.param("provider"));
        String appRedirect = required(call, "redirect_uri");
        if (!provider.redirectUris().contains(appRedirect)) {
            throw bad("redirect_uri is not one of the provider's registered redirectUris");
        }
        String appChallenge = required(call, "code_challenge");
        if (!"S256".equals(call.query("code_challenge_method")) || !appChallenge.matches("[A-Za-z0-9_-]{43}")) {
            throw bad("code_challenge is the app's PKCE S256 challenge (43 base64url characters) and "
                    + "code_challenge_method must be S256");
        }
        OIDCProviderMetadata metadata = metadata(provider);
        State state = new State(32);
        Nonce nonce = new Nonce(32);
        CodeVerifier verifier = new CodeVerifier();
        String binding = EndUsers.secret();
        String callbackUri = callbackUri(call, project, provider.name());
        String secrets = new String(Json.write(Map.of("verifier", verifier.getValue(), "nonce", nonce.getValue())),
                StandardCharsets.UTF_8);
        String stateHash = EndUsers.sha256(state.getValue());
        Instant now = clock.instant();
        db.inTransaction(c -> {
            OidcStore.insertLogin(c, new OidcStore.Login(stateHash, project, provider.name(),
                    box.seal(secrets, "oidc-login:" + stateHash), EndUsers.sha256(binding), callbackUri, appRedirect,
                    appChallenge, now.plus(LOGIN_TTL), null, null, null), now);
            return null;
        });
        URI to = new AuthenticationRequest.Builder(ResponseType.CODE, new Scope("openid", "email"),
                new ClientID(provider.clientId()), URI.create(callbackUri))
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256)
                .build().toURI();
        var headers = call.response().getHeaders();
        // the browser that starts a login must be the one that finishes it: SameSite=Lax still
        // comes along on the provider's top-level redirect back to the callback
        headers.add(HttpHeader.SET_COOKIE, COOKIE + "=" + binding + "; Path=" + oidcPath(project) + "; Max-Age="
                + LOGIN_TTL.toSeconds() + "; HttpOnly; SameSite=Lax" + (isHttps(call) ? "; Secure" : ""));
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put(HttpHeader.LOCATION, to.toString());
        call.response().setStatus(302);
        dev.cumulus.web.Exchange.write(call.response(), 302, "text/plain", "to the provider\n".getBytes(StandardCharsets.UTF_8));
    }

    /** {@code GET .../auth/oidc/{provider}/callback?code&state}: the provider's answer; redirects to the app. */
    private void callback(Call call) throws Exception {
        String project = users.project(call);
        users.abuse().perAddress("login", EndUsers.address(call));
        String state = required(call, "state");
        String stateHash = EndUsers.sha256(state);
        Instant now = clock.instant();
        OidcStore.Login login = db.withConnection(c -> OidcStore.loginByState(c, project, stateHash))
                .filter(l -> l.provider().equals(call.param("provider")))
                .orElseThrow(() -> new ApiException(400, "InvalidState", "unknown or expired login state"));
        String binding = cookie(call);
        if (binding == null || !MessageDigest.isEqual(EndUsers.sha256(binding).getBytes(StandardCharsets.UTF_8),
                login.bindingSha256().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, "LoginNotStartedHere", "this login was not started by this browser");
        }
        if (!login.expiresAt().isAfter(now) || !db.inTransaction(c -> OidcStore.spendState(c, stateHash, now))) {
            throw new ApiException(400, "InvalidState", "unknown, expired or already used login state");
        }
        if (call.query("error") != null) {
            throw new ApiException(401, "ProviderRefused", "the provider answered " + call.query("error"));
        }
        String code = required(call, "code");
        OidcStore.Provider provider = provider(project, login.provider());
        JsonNode secrets;
        try {
            secrets = Json.MAPPER.readTree(box.open(login.sealedSecrets(), "oidc-login:" + stateHash));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a login's secrets do not open with this node's key", e);
        }
        IDTokenClaimsSet identity = exchange(provider, code, login.callbackUri(),
                new CodeVerifier(secrets.get("verifier").asText()), new Nonce(secrets.get("nonce").asText()));
        OidcUser user = users.oidcSignIn(project, provider.name(), identity.getSubject().getValue(),
                identity.getStringClaim("email"), Boolean.TRUE.equals(identity.getBooleanClaim("email_verified")),
                EndUsers.address(call));
        String result = "oc_" + EndUsers.secret();
        db.inTransaction(c -> {
            OidcStore.finish(c, stateHash, user.userId(), EndUsers.sha256(result), now.plus(RESULT_TTL));
            return null;
        });
        String to = login.appRedirect() + (login.appRedirect().contains("?") ? "&" : "?") + "code="
                + URLEncoder.encode(result, StandardCharsets.UTF_8);
        var headers = call.response().getHeaders();
        headers.add(HttpHeader.SET_COOKIE, COOKIE + "=; Path=" + oidcPath(project) + "; Max-Age=0; HttpOnly; SameSite=Lax"
                + (isHttps(call) ? "; Secure" : ""));
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put(HttpHeader.LOCATION, to);
        dev.cumulus.web.Exchange.write(call.response(), 302, "text/plain", "back to the app\n".getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST .../auth/oidc/token {code, codeVerifier}}: the app redeems the result code for a session. */
    private void token(Call call) throws Exception {
        String project = users.project(call);
        users.abuse().perAddress("login", EndUsers.address(call));
        EndUsers.Body body = EndUsers.Body.read(call, Set.of("code", "codeVerifier"));
        String code = body.required("code");
        String verifier = body.required("codeVerifier");
        String resultHash = EndUsers.sha256(code);
        Instant now = clock.instant();
        OidcStore.Login login = db.withConnection(c -> OidcStore.loginByResult(c, project, resultHash))
                .orElseThrow(OidcLogin::invalidCode);
        byte[] challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(verifier.getBytes(StandardCharsets.US_ASCII))).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(challenge, login.appChallenge().getBytes(StandardCharsets.US_ASCII))
                || !login.expiresAt().isAfter(now)) {
            throw invalidCode();
        }
        if (!db.inTransaction(c -> OidcStore.spendResult(c, resultHash, now))) {
            throw invalidCode();
        }
        EndUsers.Session session = users.oidcSession(project, login.userId());
        call.json(200, session.view());
    }

    // ------------------------------------------------------------------ the provider

    private OIDCProviderMetadata metadata(OidcStore.Provider provider) {
        try {
            return OIDCProviderMetadata.resolve(new Issuer(provider.issuer()), HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS);
        } catch (Exception e) {
            LOG.warn("OIDC provider {} ({}) did not answer its discovery document", provider.name(), provider.issuer(), e);
            throw new ApiException(502, "ProviderUnavailable", "the provider " + provider.name() + " is not reachable");
        }
    }

    /** Redeems the provider's code (with the PKCE verifier) and validates the ID token it answers. */
    private IDTokenClaimsSet exchange(OidcStore.Provider provider, String code, String callbackUri, CodeVerifier verifier,
            Nonce nonce) {
        OIDCProviderMetadata metadata = metadata(provider);
        String secret;
        try {
            secret = box.open(provider.sealedSecret(), aad(provider.project(), provider.name()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("provider " + provider.name() + "'s secret does not open with this node's key", e);
        }
        TokenResponse response;
        try {
            HTTPRequest request = new TokenRequest(metadata.getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(provider.clientId()), new Secret(secret)),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), URI.create(callbackUri), verifier))
                    .toHTTPRequest();
            request.setConnectTimeout(HTTP_TIMEOUT_MS);
            request.setReadTimeout(HTTP_TIMEOUT_MS);
            response = OIDCTokenResponseParser.parse(request.send());
        } catch (Exception e) {
            LOG.warn("OIDC provider {}: the token request failed", provider.name(), e);
            throw new ApiException(502, "ProviderUnavailable", "the provider " + provider.name() + " did not answer the code");
        }
        if (!response.indicatesSuccess()) {
            throw new ApiException(401, "ProviderRefused", "the provider refused the code: "
                    + response.toErrorResponse().getErrorObject().getCode());
        }
        JWT idToken = ((com.nimbusds.openid.connect.sdk.OIDCTokenResponse) response.toSuccessResponse())
                .getOIDCTokens().getIDToken();
        try {
            IDTokenValidator validator = new IDTokenValidator(metadata.getIssuer(), new ClientID(provider.clientId()),
                    signingAlgorithm(metadata), metadata.getJWKSetURI().toURL());
            validator.setMaxClockSkew((int) UserTokens.CLOCK_SKEW.toSeconds());
            return validator.validate(idToken, nonce);
        } catch (Exception e) {
            LOG.warn("OIDC provider {}: an ID token did not validate: {}", provider.name(), e.getMessage());
            throw new ApiException(401, "InvalidIdToken", "the provider's ID token did not validate");
        }
    }

    /** RS256 (every provider must offer it), else ES256: asymmetric only, never none or HMAC. */
    private static JWSAlgorithm signingAlgorithm(OIDCProviderMetadata metadata) {
        List<JWSAlgorithm> offered = metadata.getIDTokenJWSAlgs() == null ? List.of() : metadata.getIDTokenJWSAlgs();
        return offered.contains(JWSAlgorithm.ES256) && !offered.contains(JWSAlgorithm.RS256)
                ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
    }

    // ------------------------------------------------------------------ helpers

    /** What a login answers: the user, and whether this login made them. */
    record OidcUser(String userId, boolean created) {}

    private OidcStore.Provider provider(String project, String name) {
        return db.withConnection(c -> OidcStore.provider(c, project, name)).orElseThrow(() ->
                ApiException.notFound("no OIDC provider '" + name + "' in project " + project));
    }

    private static String aad(String project, String name) {
        return "oidc-client-secret:" + project + ":" + name;
    }

    static String oidcPath(String project) {
        return "/v1/projects/" + project + "/auth/oidc/";
    }

    private static String callbackUri(Call call, String project, String provider) {
        return call.baseUrl() + oidcPath(project) + provider + "/callback";
    }

    private static boolean isHttps(Call call) {
        return "https".equalsIgnoreCase(call.request().getHttpURI().getScheme());
    }

    private static String cookie(Call call) {
        for (var cookie : org.eclipse.jetty.server.Request.getCookies(call.request())) {
            if (cookie.getName().equals(COOKIE)) {
                return cookie.getValue();
            }
        }
        return null;
    }

    private static String required(Call call, String name) {
        String value = call.query(name);
        if (value == null || value.isEmpty() || value.length() > 2048) {
            throw bad("'" + name + "' is required (at most 2048 characters)");
        }
        return value;
    }

    private static String text(JsonNode body, String field, int max) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty() || node.asText().length() > max) {
            throw bad("'" + field + "' is required: a string of at most " + max + " characters");
        }
        return node.asText();
    }

    /** https, or http to this machine only (a provider or app under test): never a cleartext remote. */
    private static void requireSafeUrl(String field, String url) {
        try {
            URI uri = new URI(url);
            if (!uri.isAbsolute() || uri.getHost() == null) {
                throw bad("'" + field + "' must be an absolute URL, got " + url);
            }
            if ("https".equals(uri.getScheme())) {
                return;
            }
            if ("http".equals(uri.getScheme()) && isLoopback(uri.getHost())) {
                return;
            }
            throw bad("'" + field + "' must be https (http only to localhost), got " + url);
        } catch (URISyntaxException e) {
            throw bad("'" + field + "' is not a URL: " + url);
        }
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: never resolved here
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static ApiException bad(String message) {
        return ApiException.badRequest("InvalidParameter", message);
    }

    private static ApiException invalidCode() {
        return new ApiException(400, "InvalidCode", "the login code is unknown, expired, used, or not this app's");
    }
}
