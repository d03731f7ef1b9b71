package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.cumulus.auth.SecretBox;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Function URLs with {@code urlAuth: user} on a real node with a real SMTP server (GreenMail):
 * sign-up, the verification mail, its link, login, the access token verified offline against
 * the JWKS with Nimbus, then the function URL hands a Cumulus handler ({@code Context.user()})
 * and a Lambda handler ({@code requestContext.authorizer.jwt}, the Cognito identity) the user,
 * and refuses every bad token with 401 before any instance starts (issue 15, item 3).
 */
class FunctionUrlUserAuthTest {
    static final Pattern CODE = Pattern.compile("code: (\\S+)");
    static final String PASSWORD = "correct horse battery";

    @TempDir
    static Path dataDir;

    static MailNode mailNode;
    static GreenMail smtp;
    static TestNode node;
    static String lambdaCode;

    @BeforeAll
    static void start() throws IOException {
        mailNode = MailNode.start(dataDir, "shop");
        smtp = mailNode.smtp();
        node = mailNode.node();
        lambdaCode = node.upload(LambdaFunctionsTest.LAMBDA_JAR);
    }

    @AfterAll
    static void stop() {
        mailNode.close();
    }

    static HttpResponse<String> auth(String project, String path, String body) {
        return node.send("POST", "/v1/projects/" + project + "/auth/" + path, body, null);
    }

    static String signUpAndLogIn(String project, String email) {
        assertThat(auth(project, "signup", credentials(email)).statusCode()).isEqualTo(202);
        return logIn(project, email).path("accessToken").asText();
    }

    static JsonNode logIn(String project, String email) {
        HttpResponse<String> session = auth(project, "login", credentials(email));
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        return TestNode.json(session);
    }

    static String credentials(String email) {
        return "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\"}";
    }

    /** GET on the function URL of {@code function} in {@code project}, with {@code Authorization: Bearer token}. */
    static HttpResponse<String> callUrl(String project, String function, String token) {
        return node.send("GET", "/fn/" + function + "/", null, token, project);
    }

    static JsonNode deployed(String name, String handler, String code) {
        return node.deploy(name, handler, Map.of("urlAuth", "user"), code);
    }

    static String mailedCode(String address) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> mailTo(address) != null);
        Matcher m = CODE.matcher(GreenMailUtil.getBody(mailTo(address)));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    static MimeMessage mailTo(String address) throws Exception {
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (Arrays.stream(m.getAllRecipients()).map(Address::toString).anyMatch(address::equals)) {
                return m;
            }
        }
        return null;
    }

    static void assertRefused(HttpResponse<String> response, String why) {
        assertThat(response.statusCode()).as(why + ": " + response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(why).contains("Bearer error=\"invalid_token\"");
        assertThat(TestNode.json(response).path("error").asText()).as(why).isEqualTo("Unauthorized");
    }

    @Test
    void signUpVerifyLogInAndACumulusHandlerBehindAUserFunctionUrlSeesTheUser() throws Exception {
        JsonNode fn = deployed("whoami-url", "dev.cumulus.testfn.WhoAmI", node.testFunctionsCode());
        assertThat(fn.path("urlAuth").asText()).isEqualTo("user");
        assertThat(fn.path("public").asBoolean()).isFalse();

        assertThat(auth("default", "signup", credentials("ada@example.com")).statusCode()).isEqualTo(202);
        HttpResponse<String> verified = auth("default", "verify", "{\"token\":\"" + mailedCode("ada@example.com") + "\"}");
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        JsonNode session = logIn("default", "ada@example.com");
        String token = session.path("accessToken").asText();

        // any service verifies the token offline against the project's JWKS
        String jwks = node.send("GET", "/v1/projects/default/auth/jwks.json", null, null).body();
        DefaultJWTProcessor<SecurityContext> verifier = new DefaultJWTProcessor<>();
        verifier.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        verifier.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new ImmutableJWKSet<>(JWKSet.parse(jwks))));
        JWTClaimsSet claims = verifier.process(token, null);
        assertThat(claims.getSubject()).isEqualTo(session.path("userId").asText());

        HttpResponse<String> seen = callUrl(null, "whoami-url", token);
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        JsonNode user = TestNode.json(seen);
        assertThat(user.path("signedIn").asBoolean()).isTrue();
        assertThat(user.path("id").asText()).isEqualTo(claims.getSubject());
        assertThat(user.path("email").asText()).isEqualTo("ada@example.com");
        assertThat(user.path("claims").path("email_verified").asBoolean()).isTrue();
    }

    @Test
    void aLambdaHandlerBehindAUserFunctionUrlReadsTheJwtAuthorizerAndTheCognitoIdentity() {
        deployed("whoami-lambda", "dev.cumulus.testlambda.WhoAmI", lambdaCode);
        String userId = TestNode.json(node.send("GET", "/v1/projects/default/auth/me", null,
                signUpAndLogIn("default", "lin@example.com"))).path("id").asText();
        assertThat(node.send("PUT", "/v1/users/" + userId + "/claims", "{\"claims\":{\"tier\":\"gold\"}}").statusCode())
                .isEqualTo(200);
        String token = logIn("default", "lin@example.com").path("accessToken").asText(); // carries the claim

        HttpResponse<String> seen = callUrl(null, "whoami-lambda", token);
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        JsonNode who = TestNode.json(seen);
        assertThat(who.path("signedIn").asBoolean()).as(seen.body()).isTrue();
        assertThat(who.path("sub").asText()).isEqualTo(userId);
        assertThat(who.path("email").asText()).isEqualTo("lin@example.com");
        assertThat(who.path("tier").asText()).isEqualTo("gold");
        assertThat(who.path("scopes").asInt()).isZero();
        assertThat(who.path("identityId").asText()).isEqualTo(userId);
        assertThat(who.path("identityPoolId").asText()).isEqualTo("cumulus:project:default");
    }

    @Test
    void everyInvalidTokenIsRefusedWith401BeforeAnyInstanceStarts() throws Exception {
        deployed("guarded", "dev.cumulus.testfn.EventEcho", node.testFunctionsCode());
        String token = signUpAndLogIn("default", "max@example.com");
        String shopToken = signUpAndLogIn("shop", "max@example.com");
        SignedJWT good = SignedJWT.parse(token);
        JWTClaimsSet claims = good.getJWTClaimsSet();
        ECKey key = signingKey("default", good.getHeader().getKeyID());
        ECKey publicKey = JWKSet.parse(node.send("GET", "/v1/projects/default/auth/jwks.json", null, null).body())
                .getKeyByKeyId(key.getKeyID()).toECKey();

        assertRefused(callUrl(null, "guarded", null), "no token");
        assertRefused(callUrl(null, "guarded", "not-a-token"), "garbage");
        assertRefused(callUrl(null, "guarded", node.platform.rootToken()), "the operators' root token is no end user");
        String[] parts = token.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]))
                .replace("max@example.com", "eve@example.com");
        assertRefused(callUrl(null, "guarded", parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes()) + "." + parts[2]), "tampered");
        assertRefused(callUrl(null, "guarded", shopToken), "another project's user");
        assertRefused(callUrl(null, "guarded", new PlainJWT(claims).serialize()), "alg: none");
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), claims);
        hmac.sign(new MACSigner(publicKey.toECPublicKey().getEncoded()));
        assertRefused(callUrl(null, "guarded", hmac.serialize()), "HS256 keyed with the public key");
        // the project's own key and every claim right but the times: expired beyond the 60 s of skew
        Instant past = Instant.now().minus(Duration.ofMinutes(20));
        SignedJWT expired = new SignedJWT(good.getHeader(), new JWTClaimsSet.Builder(claims)
                .issueTime(Date.from(past)).notBeforeTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(15)))).build());
        expired.sign(new ECDSASigner(key));
        assertRefused(callUrl(null, "guarded", expired.serialize()), "expired");
        // the same key and fresh times pass: the refusals above were for what they changed
        SignedJWT fresh = new SignedJWT(good.getHeader(), new JWTClaimsSet.Builder(claims)
                .jwtID("fresh-" + claims.getJWTID()).build());
        fresh.sign(new ECDSASigner(key));
        assertThat(node.send("GET", "/v1/functions/guarded/instances", null).body())
                .as("no instance started for refused callers").contains("\"instances\":[]");

        HttpResponse<String> seen = callUrl(null, "guarded", fresh.serialize());
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        JsonNode event = TestNode.json(seen);
        JsonNode jwt = event.path("requestContext").path("authorizer").path("jwt");
        assertThat(jwt.path("claims").path("sub").asText()).isEqualTo(claims.getSubject());
        assertThat(jwt.path("claims").path("email").asText()).isEqualTo("max@example.com");
        assertThat(jwt.path("claims").path("email_verified").asText()).isEqualTo("false");
        assertThat(jwt.path("scopes").isArray()).isTrue();
        assertThat(event.path("headers").path("authorization").asText())
                .as("an end user's own token reaches the function, as API Gateway passes it").startsWith("Bearer ");

        // a disabled user's tokens stop at once
        assertThat(node.send("POST", "/v1/users/" + claims.getSubject() + "/disable", null).statusCode() / 100).isEqualTo(2);
        assertRefused(callUrl(null, "guarded", token), "a disabled user");
    }

    @Test
    void aProjectsFunctionUrlTakesItsOwnUsersTokens() {
        assertThat(node.send("PUT", "/v1/functions/shop-who", TestNode.write(Map.of("handler",
                "dev.cumulus.testfn.WhoAmI", "codeSha256", node.testFunctionsCode(), "urlAuth", "user")),
                node.platform.rootToken(), "shop").statusCode()).isEqualTo(201);
        String shopToken = signUpAndLogIn("shop", "kim@example.com");
        String defaultToken = signUpAndLogIn("default", "kim@example.com");
        HttpResponse<String> seen = callUrl("shop", "shop-who", shopToken);
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        assertThat(TestNode.json(seen).path("email").asText()).isEqualTo("kim@example.com");
        assertRefused(callUrl("shop", "shop-who", defaultToken), "the default project's user");
    }

    @Test
    void urlAuthIsASettingWithPreciseErrors() {
        node.deploy("setting", "dev.cumulus.testfn.Hello", Map.of());
        assertThat(node.send("GET", "/v1/functions/setting", null).body()).contains("\"urlAuth\":\"token\"");
        HttpResponse<String> bad = node.send("PUT", "/v1/functions/setting", "{\"urlAuth\":\"users\"}");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        assertThat(bad.body()).contains("urlAuth");
        HttpResponse<String> clash = node.send("PUT", "/v1/functions/setting", "{\"urlAuth\":\"user\",\"public\":true}");
        assertThat(clash.statusCode()).as(clash.body()).isEqualTo(400);
        assertThat(TestNode.json(node.send("PUT", "/v1/functions/setting", "{\"urlAuth\":\"user\"}")).path("public")
                .asBoolean()).isFalse();
        JsonNode made = TestNode.json(node.send("PUT", "/v1/functions/setting", "{\"public\":true}"));
        assertThat(made.path("urlAuth").asText()).isEqualTo("none");
        // an update that does not name it keeps it
        node.send("PUT", "/v1/functions/setting", "{\"urlAuth\":\"user\"}");
        JsonNode kept = TestNode.json(node.send("PUT", "/v1/functions/setting", "{\"memoryMb\":128}"));
        assertThat(kept.path("urlAuth").asText()).isEqualTo("user");
    }

    /** The project's signing key, read as the node keeps it: sealed in the Store under the node's master key. */
    static ECKey signingKey(String project, String keyId) throws Exception {
        SecretBox box = SecretBox.loadOrCreate(dataDir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("cumulus.db"));
                PreparedStatement q = c.prepareStatement(
                        "SELECT sealed_jwk FROM user_signing_keys WHERE project = ? AND key_id = ?")) {
            q.setString(1, project);
            q.setString(2, keyId);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return ECKey.parse(box.open(rs.getString(1), "user-signing-key:" + project + ":" + keyId));
            }
        }
    }
}
