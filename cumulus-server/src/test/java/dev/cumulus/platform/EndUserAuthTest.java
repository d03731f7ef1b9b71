package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End users on a real node with a real SMTP server (GreenMail): sign-up, the verification mail,
 * login, the access token checked offline against the JWKS with Nimbus, refresh rotation and
 * reuse, reset by mail, lockouts, bad input, admin operations, events and hooks (issue 15).
 */
class EndUserAuthTest {
    static final Duration MAIL = Duration.ofSeconds(30);
    static final Pattern CODE = Pattern.compile("code: (\\S+)");

    @TempDir
    static Path dataDir;

    static MailNode mailNode;
    static GreenMail smtp;
    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        mailNode = MailNode.start(dataDir, "shop");
        smtp = mailNode.smtp();
        node = mailNode.node();
    }

    @AfterAll
    static void stop() {
        mailNode.close();
    }

    static String auth(String project) {
        return "/v1/projects/" + project + "/auth/";
    }

    static HttpResponse<String> post(String project, String path, String body) {
        return node.send("POST", auth(project) + path, body, null);
    }

    static HttpResponse<String> signup(String project, String email, String password) {
        return post(project, "signup", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    }

    static HttpResponse<String> login(String project, String email, String password) {
        return post(project, "login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    }

    static JsonNode loggedIn(String project, String email, String password) {
        HttpResponse<String> response = login(project, email, password);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestNode.json(response);
    }

    static JsonNode signedUpAndLoggedIn(String project, String email) {
        assertThat(signup(project, email, "correct horse battery").statusCode()).isEqualTo(202);
        return loggedIn(project, email, "correct horse battery");
    }

    static List<MimeMessage> mailTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return Arrays.stream(m.getAllRecipients()).map(Address::toString).anyMatch(address::equals);
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    /** The one-time code of the newest mail to {@code address} whose subject starts so. */
    static String codeMailedTo(String address, String subjectStart) {
        await().atMost(MAIL).until(() -> mailTo(address).stream().anyMatch(m -> subject(m).startsWith(subjectStart)));
        MimeMessage mail = mailTo(address).stream().filter(m -> subject(m).startsWith(subjectStart)).toList().getLast();
        Matcher m = CODE.matcher(GreenMailUtil.getBody(mail));
        assertThat(m.find()).as(GreenMailUtil.getBody(mail)).isTrue();
        return m.group(1);
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> me(String project, String accessToken) {
        return node.send("GET", auth(project) + "me", null, accessToken);
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(TestNode.json(response).path("error").asText()).as(response.body()).isEqualTo(code);
    }

    @Test
    void signUpVerifyByMailLogInAndTheTokenVerifiesOfflineAgainstTheJwks() throws Exception {
        HttpResponse<String> created = signup("default", "Ada@Example.com", "correct horse battery");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String code = codeMailedTo("ada@example.com", "Confirm your email address");
        HttpResponse<String> verified = post("default", "verify", "{\"token\":\"" + code + "\"}");
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(TestNode.json(verified).path("emailVerified").asBoolean()).isTrue();
        assertError(post("default", "verify", "{\"token\":\"" + code + "\"}"), 400, "InvalidToken");

        JsonNode session = loggedIn("default", "ada@example.com", "correct horse battery");
        assertThat(session.path("expiresIn").asLong()).isEqualTo(900);
        assertThat(session.path("refreshToken").asText()).startsWith("rt_");

        HttpResponse<String> jwks = node.send("GET", auth("default") + "jwks.json", null, null);
        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(jwks.body()).doesNotContain("\"d\"");
        DefaultJWTProcessor<SecurityContext> verifier = new DefaultJWTProcessor<>();
        // access tokens say what they are (RFC 9068): a verifier accepts that type
        verifier.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
        verifier.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new ImmutableJWKSet<>(JWKSet.parse(jwks.body()))));
        JWTClaimsSet claims = verifier.process(session.path("accessToken").asText(), null);
        assertThat(claims.getSubject()).isEqualTo(session.path("userId").asText());
        assertThat(claims.getStringClaim("email")).isEqualTo("ada@example.com");
        assertThat(claims.getBooleanClaim("email_verified")).isTrue();
        assertThat(claims.getAudience()).containsExactly("default");

        HttpResponse<String> me = me("default", session.path("accessToken").asText());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(TestNode.json(me).path("email").asText()).isEqualTo("ada@example.com");
        assertError(me("default", "not-a-token"), 401, "Unauthorized");
        assertError(me("shop", session.path("accessToken").asText()), 401, "Unauthorized");
    }

    @Test
    void theAuthRoutesServeEveryExistingProjectAndNoOther() {
        assertThat(node.send("GET", auth("shop") + "jwks.json", null, null).statusCode()).isEqualTo(200);
        assertError(node.send("GET", auth("nope") + "jwks.json", null, null), 404, "NotFound");
        assertError(node.send("GET", "/v1/auth/jwks.json", null, null), 404, "NotFound");
        assertError(signup("nope", "x@example.com", "correct horse battery"), 404, "NotFound");
        // a shop user is no default user
        JsonNode session = signedUpAndLoggedIn("shop", "sam@example.com");
        assertThat(me("shop", session.path("accessToken").asText()).statusCode()).isEqualTo(200);
        assertError(login("default", "sam@example.com", "correct horse battery"), 401, "InvalidCredentials");
        // a project that has end users is not deleted from under them
        HttpResponse<String> delete = node.send("DELETE", "/v1/projects/shop", null);
        assertError(delete, 409, "ProjectNotEmpty");
        assertThat(TestNode.json(delete).path("contents").path("end users").asInt()).isEqualTo(1);
    }

    @Test
    void aRefreshTokenRotatesAndAReplayedOneRevokesItsWholeFamily() {
        JsonNode first = signedUpAndLoggedIn("default", "rita@example.com");
        String r1 = first.path("refreshToken").asText();
        HttpResponse<String> rotated = post("default", "refresh", "{\"refreshToken\":\"" + r1 + "\"}");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String r2 = TestNode.json(rotated).path("refreshToken").asText();
        assertThat(r2).isNotEqualTo(r1);
        assertThat(me("default", TestNode.json(rotated).path("accessToken").asText()).statusCode()).isEqualTo(200);

        assertError(post("default", "refresh", "{\"refreshToken\":\"" + r1 + "\"}"), 401, "RefreshTokenReused");
        assertError(post("default", "refresh", "{\"refreshToken\":\"" + r2 + "\"}"), 401, "InvalidRefreshToken");
        // another session of the same user is another family: untouched
        JsonNode other = loggedIn("default", "rita@example.com", "correct horse battery");
        assertThat(post("default", "refresh", "{\"refreshToken\":\"" + other.path("refreshToken").asText() + "\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void logoutRevokesTheSessionAndLogoutEverywhereEndsEveryAccessToken() {
        JsonNode a = signedUpAndLoggedIn("default", "lou@example.com");
        JsonNode b = loggedIn("default", "lou@example.com", "correct horse battery");
        assertThat(post("default", "logout", "{\"refreshToken\":\"" + a.path("refreshToken").asText() + "\"}")
                .statusCode()).isEqualTo(204);
        assertError(post("default", "refresh", "{\"refreshToken\":\"" + a.path("refreshToken").asText() + "\"}"),
                401, "InvalidRefreshToken");
        assertThat(me("default", b.path("accessToken").asText()).statusCode()).isEqualTo(200);
        HttpResponse<String> everywhere = node.send("POST", auth("default") + "logout", "{\"everywhere\":true}",
                b.path("accessToken").asText());
        assertThat(everywhere.statusCode()).as(everywhere.body()).isEqualTo(204);
        assertError(me("default", b.path("accessToken").asText()), 401, "Unauthorized");
        assertError(post("default", "refresh", "{\"refreshToken\":\"" + b.path("refreshToken").asText() + "\"}"),
                401, "InvalidRefreshToken");
    }

    @Test
    void aPasswordIsResetThroughTheMailedLinkAndOldSessionsEnd() {
        JsonNode before = signedUpAndLoggedIn("default", "rob@example.com");
        HttpResponse<String> asked = post("default", "reset", "{\"email\":\"rob@example.com\"}");
        assertThat(asked.statusCode()).isEqualTo(202);
        HttpResponse<String> unknown = post("default", "reset", "{\"email\":\"nobody-here@example.com\"}");
        assertThat(unknown.statusCode()).isEqualTo(202);
        assertThat(unknown.body()).isEqualTo(asked.body());
        String code = codeMailedTo("rob@example.com", "Reset your password");
        assertError(post("default", "reset/confirm", "{\"token\":\"" + code + "\",\"password\":\"short\"}"), 400,
                "WeakPassword");
        HttpResponse<String> confirmed = post("default", "reset/confirm",
                "{\"token\":\"" + code + "\",\"password\":\"a brand new passphrase\"}");
        assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(204);
        assertError(login("default", "rob@example.com", "correct horse battery"), 401, "InvalidCredentials");
        loggedIn("default", "rob@example.com", "a brand new passphrase");
        assertError(me("default", before.path("accessToken").asText()), 401, "Unauthorized");
        assertError(post("default", "refresh", "{\"refreshToken\":\"" + before.path("refreshToken").asText() + "\"}"),
                401, "InvalidRefreshToken");
        assertThat(mailTo("nobody-here@example.com")).isEmpty();
    }

    @Test
    void repeatedWrongPasswordsLockTheAccountAndUnknownAddressesAnswerTheSame() {
        signup("default", "lock@example.com", "correct horse battery");
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> known = login("default", "lock@example.com", "wrong password " + i);
            HttpResponse<String> unknown = login("default", "ghost@example.com", "wrong password " + i);
            assertError(known, 401, "InvalidCredentials");
            assertError(unknown, 401, "InvalidCredentials");
            assertThat(known.body()).isEqualTo(unknown.body());
        }
        HttpResponse<String> locked = login("default", "lock@example.com", "correct horse battery");
        assertError(locked, 429, "TooManyRequests");
        assertThat(TestNode.json(locked).path("retryAfterSeconds").asLong()).isBetween(1L, 30L);
        assertThat(locked.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 30L));
        HttpResponse<String> ghost = login("default", "ghost@example.com", "anything at all");
        assertError(ghost, 429, "TooManyRequests");
    }

    @Test
    void badInputGetsPreciseErrors() {
        assertError(signup("default", "not-an-address", "correct horse battery"), 400, "InvalidEmail");
        assertError(signup("default", "weak@example.com", "short"), 400, "WeakPassword");
        assertError(signup("default", "long@example.com", "x".repeat(300)), 400, "WeakPassword");
        // whole passwords common in leaked sets (zxcvbn's list, offline), whatever their case
        HttpResponse<String> leaked = signup("default", "leaked@example.com", "Password123");
        assertError(leaked, 400, "WeakPassword");
        assertThat(TestNode.json(leaked).path("message").asText()).contains("leaked");
        assertError(signup("default", "leaked@example.com", "qwertyuiop"), 400, "WeakPassword");
        assertError(signup("default", "long@example.com", "x".repeat(5000)), 400, "InvalidParameter");
        assertError(signup("default", "a".repeat(250) + "@example.com", "correct horse battery"), 400, "InvalidEmail");
        assertError(post("default", "signup", "{\"email\":\"u@example.com\",\"password\":\"correct horse battery\",\"admin\":true}"),
                400, "InvalidParameter");
        assertError(post("default", "signup", "{\"email\":42,\"password\":\"correct horse battery\"}"), 400, "InvalidParameter");
        assertError(post("default", "login", "not json"), 400, "MalformedJson");
        assertError(post("default", "refresh", "{}"), 400, "InvalidParameter");
    }

    @Test
    void anAnonymousSessionIsUpgradedToTheSameUserBySigningUp() {
        HttpResponse<String> anonymous = post("default", "anonymous", null);
        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(201);
        JsonNode session = TestNode.json(anonymous);
        JsonNode me = TestNode.json(me("default", session.path("accessToken").asText()));
        assertThat(me.path("anonymous").asBoolean()).isTrue();
        HttpResponse<String> upgraded = node.send("POST", auth("default") + "signup",
                "{\"email\":\"anna@example.com\",\"password\":\"correct horse battery\"}", session.path("accessToken").asText());
        assertThat(upgraded.statusCode()).as(upgraded.body()).isEqualTo(202);
        JsonNode after = loggedIn("default", "anna@example.com", "correct horse battery");
        assertThat(after.path("userId").asText()).isEqualTo(session.path("userId").asText());
    }

    @Test
    void adminsListDisableClaimAndDeleteEndUsersThroughIam() throws Exception {
        JsonNode session = signedUpAndLoggedIn("default", "dora@example.com");
        String id = session.path("userId").asText();
        JsonNode listed = TestNode.json(node.send("GET", "/v1/projects/default/users?limit=1000", null));
        assertThat(listed.path("users").findValuesAsText("email")).contains("dora@example.com");
        assertThat(node.send("GET", "/v1/users", null, null).statusCode()).as("no credential").isEqualTo(401);

        HttpResponse<String> claims = node.send("PUT", "/v1/users/" + id + "/claims", "{\"claims\":{\"role\":\"editor\"}}");
        assertThat(claims.statusCode()).as(claims.body()).isEqualTo(200);
        assertError(node.send("PUT", "/v1/users/" + id + "/claims", "{\"claims\":{\"sub\":\"someone\"}}"), 400,
                "InvalidParameter");
        JsonNode again = loggedIn("default", "dora@example.com", "correct horse battery");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(again.path("accessToken").asText().split("\\.")[1]));
        assertThat(TestNode.JSON.readTree(payload).path("role").asText()).isEqualTo("editor");

        assertThat(node.send("POST", "/v1/users/" + id + "/disable", null).statusCode()).isEqualTo(200);
        assertError(me("default", again.path("accessToken").asText()), 401, "Unauthorized");
        assertError(login("default", "dora@example.com", "correct horse battery"), 403, "UserDisabled");
        assertThat(node.send("POST", "/v1/users/" + id + "/enable", null).statusCode()).isEqualTo(200);
        loggedIn("default", "dora@example.com", "correct horse battery");

        assertThat(node.send("DELETE", "/v1/users/" + id, null).statusCode()).isEqualTo(204);
        assertError(node.send("GET", "/v1/users/" + id, null), 404, "NotFound");
        assertError(login("default", "dora@example.com", "correct horse battery"), 401, "InvalidCredentials");
    }

    @Test
    void signUpsAreEventsOnTheProjectsTopicAndBlockingHooksRefuseOrAddClaims() {
        assertThat(node.send("PUT", "/v1/topics/user.created", null).statusCode()).isEqualTo(201);
        node.deploy("on-user-created", "dev.cumulus.testfn.CloudEventLog", Map.of());
        assertThat(node.send("POST", "/v1/topics/user.created/subscriptions",
                "{\"function\":\"on-user-created\"}").statusCode()).isEqualTo(201);
        node.deploy("signup-hook", "dev.cumulus.testfn.SignUpHook", Map.of());
        HttpResponse<String> settings = node.send("PUT", "/v1/user-settings",
                "{\"beforeCreate\":\"signup-hook\",\"beforeSignIn\":\"signup-hook\"}");
        assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
        try {
            HttpResponse<String> refused = signup("default", "eve@blocked.example", "correct horse battery");
            assertError(refused, 403, "RejectedByHook");
            assertThat(TestNode.json(refused).path("message").asText()).isEqualTo("sign-ups from blocked.example are closed");

            JsonNode session = signedUpAndLoggedIn("default", "hal@example.com");
            String payload = new String(java.util.Base64.getUrlDecoder().decode(
                    session.path("accessToken").asText().split("\\.")[1]));
            // beforeCreate set the claims at sign-up, beforeSignIn merged its own at login
            assertThat(payload).contains("\"plan\":\"free\"").contains("\"hook\":\"beforeSignIn\"");
            JsonNode stored = TestNode.json(node.send("GET", "/v1/users/" + session.path("userId").asText(), null));
            assertThat(stored.path("claims").path("plan").asText()).isEqualTo("free");
            await().atMost(Duration.ofSeconds(60)).until(() -> TopicsTest.logLinesOf(node, "on-user-created").stream()
                    .anyMatch(l -> l.contains("|user.created|") && l.contains("hal@example.com")));
            assertThat(TopicsTest.logLinesOf(node, "on-user-created")).noneMatch(l -> l.contains("blocked.example"));
        } finally {
            node.send("PUT", "/v1/user-settings", "{}");
        }
    }

    @Test
    void aRouteWithUserAuthHandsTheFunctionTheVerifiedUserAndRefusesOthersBeforeAnyInstanceStarts() throws Exception {
        node.deploy("whoami", "dev.cumulus.testfn.EventEcho", Map.of());
        HttpResponse<String> route = node.send("POST", "/v1/routes", TestNode.write(Map.of("method", "GET",
                "path", "/whoami", "function", "whoami", "auth", "user")));
        assertThat(route.statusCode()).as(route.body()).isEqualTo(201);
        JsonNode session = signedUpAndLoggedIn("default", "wanda@example.com");
        String token = session.path("accessToken").asText();

        HttpResponse<String> stranger = node.send("GET", "/api/whoami", null, null);
        assertThat(stranger.statusCode()).as(stranger.body()).isEqualTo(401);
        assertThat(stranger.headers().firstValue("WWW-Authenticate")).contains("Bearer error=\"invalid_token\"");
        assertThat(node.send("GET", "/api/whoami", null, platformRootToken()).statusCode())
                .as("the operators' root token is no end user").isEqualTo(401);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4) + "AAAA";
        assertThat(node.send("GET", "/api/whoami", null, forged).statusCode()).isEqualTo(401);
        assertThat(node.send("GET", "/v1/functions/whoami/invocations?limit=10", null).body())
                .as("no instance ran for refused callers").contains("\"invocations\":[]");

        HttpResponse<String> seen = node.send("GET", "/api/whoami", null, token);
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        JsonNode jwt = TestNode.json(seen).path("requestContext").path("authorizer").path("jwt");
        assertThat(jwt.path("claims").path("sub").asText()).isEqualTo(session.path("userId").asText());
        assertThat(jwt.path("claims").path("email").asText()).isEqualTo("wanda@example.com");
        assertThat(jwt.path("claims").path("email_verified").asText()).isEqualTo("false");
        assertThat(jwt.path("scopes").isArray()).isTrue();
    }

    @Test
    void aJavaFunctionBehindAUserRouteSeesTheUserInItsContext() {
        node.deploy("whoami-java", "dev.cumulus.testfn.WhoAmI", Map.of());
        assertThat(node.send("POST", "/v1/routes", TestNode.write(Map.of("method", "GET", "path", "/me-java",
                "function", "whoami-java", "auth", "user"))).statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/routes", TestNode.write(Map.of("method", "GET", "path", "/anyone-java",
                "function", "whoami-java", "auth", "none"))).statusCode()).isEqualTo(201);
        JsonNode session = signedUpAndLoggedIn("default", "jules@example.com");
        String id = session.path("userId").asText();
        assertThat(node.send("PUT", "/v1/users/" + id + "/claims", "{\"claims\":{\"tier\":\"gold\"}}").statusCode())
                .isEqualTo(200);
        String token = loggedIn("default", "jules@example.com", "correct horse battery").path("accessToken").asText();
        HttpResponse<String> seen = node.send("GET", "/api/me-java", null, token);
        assertThat(seen.statusCode()).as(seen.body()).isEqualTo(200);
        JsonNode user = TestNode.json(seen);
        assertThat(user.path("signedIn").asBoolean()).isTrue();
        assertThat(user.path("id").asText()).isEqualTo(id);
        assertThat(user.path("email").asText()).isEqualTo("jules@example.com");
        assertThat(user.path("claims").path("tier").asText()).isEqualTo("gold");
        // a public route has no user, whatever header comes with it
        HttpResponse<String> anyone = node.send("GET", "/api/anyone-java", null, token);
        assertThat(TestNode.json(anyone).path("signedIn").asBoolean()).as(anyone.body()).isFalse();
    }

    static String platformRootToken() {
        return node.platform.rootToken();
    }
}
