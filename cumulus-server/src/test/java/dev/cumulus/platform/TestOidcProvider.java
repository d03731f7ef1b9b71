package dev.cumulus.platform;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small OpenID Connect provider for tests, on the JDK's HttpServer with the Nimbus SDK: a
 * discovery document, an authorization endpoint that signs in whichever account the test chose
 * ({@link #signInAs}) at once, a token endpoint that checks the client's secret, the redirect URI
 * and the PKCE verifier (S256) and answers an RS256 ID token with the request's nonce, and its JWKS.
 */
final class TestOidcProvider implements AutoCloseable {
    record Account(String subject, String email, boolean emailVerified) {}

    private record Pending(String clientId, URI redirectUri, CodeChallenge challenge, String nonce, Account account) {}

    final String clientId = "cumulus-test-client";
    final String clientSecret = "s3cret-" + UUID.randomUUID();
    private final HttpServer server;
    private final RSAKey key;
    private final Map<String, Pending> codes = new ConcurrentHashMap<>();
    private volatile Account account = new Account("sub-1", "ada@example.com", true);
    private volatile boolean wrongNonce;

    TestOidcProvider() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID("test-rsa").algorithm(JWSAlgorithm.RS256).generate();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.createContext("/jwks", ex -> send(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
        server.start();
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Whom the next authorization signs in. */
    void signInAs(Account next) {
        account = next;
    }

    /** Whether ID tokens carry another nonce than the request's (a token made for another login). */
    void answerWrongNonce(boolean wrong) {
        wrongNonce = wrong;
    }

    private void discovery(HttpExchange ex) throws IOException {
        OIDCProviderMetadata metadata = new OIDCProviderMetadata(new Issuer(issuer()), List.of(SubjectType.PUBLIC),
                URI.create(issuer() + "/jwks"));
        metadata.setAuthorizationEndpointURI(URI.create(issuer() + "/authorize"));
        metadata.setTokenEndpointURI(URI.create(issuer() + "/token"));
        metadata.setIDTokenJWSAlgs(List.of(JWSAlgorithm.RS256));
        metadata.setResponseTypes(List.of(ResponseType.CODE));
        metadata.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
        send(ex, 200, metadata.toJSONObject().toJSONString());
    }

    private void authorize(HttpExchange ex) throws IOException {
        AuthenticationRequest request;
        try {
            request = AuthenticationRequest.parse(ex.getRequestURI());
        } catch (com.nimbusds.oauth2.sdk.ParseException e) {
            send(ex, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        if (!request.getClientID().getValue().equals(clientId) || request.getCodeChallenge() == null
                || request.getCodeChallengeMethod() != CodeChallengeMethod.S256 || request.getNonce() == null) {
            send(ex, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        String code = UUID.randomUUID().toString();
        codes.put(code, new Pending(clientId, request.getRedirectionURI(), request.getCodeChallenge(),
                request.getNonce().getValue(), account));
        ex.getResponseHeaders().add("Location", request.getRedirectionURI() + "?code=" + code + "&state="
                + URLEncoder.encode(request.getState().getValue(), StandardCharsets.UTF_8));
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private void token(HttpExchange ex) throws IOException {
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String basic = "Basic " + Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + ":" + URLEncoder.encode(clientSecret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        Pending pending = codes.remove(form.getOrDefault("code", ""));
        if (pending == null || !"authorization_code".equals(form.get("grant_type"))
                || !pending.redirectUri().toString().equals(form.get("redirect_uri")) || form.get("code_verifier") == null
                || !CodeChallenge.compute(CodeChallengeMethod.S256, new CodeVerifier(form.get("code_verifier")))
                        .equals(pending.challenge())) {
            send(ex, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer()).subject(pending.account().subject())
                .audience(pending.clientId()).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("nonce", wrongNonce ? "another-login" : pending.nonce())
                .claim("email", pending.account().email()).claim("email_verified", pending.account().emailVerified())
                .build();
        try {
            SignedJWT idToken = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            idToken.sign(new RSASSASigner(key));
            send(ex, 200, "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                    + "\"id_token\":\"" + idToken.serialize() + "\"}");
        } catch (JOSEException e) {
            throw new IOException(e);
        }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
