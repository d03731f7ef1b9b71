package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End users logging in through a project's OpenID Connect provider on a real node, against a
 * local provider the test starts ({@link TestOidcProvider}): the authorization-code flow with
 * PKCE, state bound to the browser, the nonce checked, the app's one-time code redeemed with its
 * own verifier; a first login makes (or links) the user and publishes user.created / user.login.
 */
class OidcLoginTest {
    static final String APP = "http://127.0.0.1:9/app/done";
    static final Pattern CODE = Pattern.compile("code: (\\S+)");

    @TempDir
    static Path dataDir;

    static MailNode mailNode;
    static GreenMail smtp;
    static TestNode node;
    static TestOidcProvider provider;

    @BeforeAll
    static void start() throws Exception {
        mailNode = MailNode.start(dataDir);
        smtp = mailNode.smtp();
        node = mailNode.node();
        provider = new TestOidcProvider();
        HttpResponse<String> put = node.send("PUT", "/v1/user-oidc-providers/test", TestNode.write(Map.of(
                "issuer", provider.issuer(), "clientId", provider.clientId, "clientSecret", provider.clientSecret,
                "redirectUris", java.util.List.of(APP))));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.body()).doesNotContain(provider.clientSecret);
        assertThat(TestNode.json(put).path("callbackUrl").asText())
                .isEqualTo(node.url("/v1/projects/default/auth/oidc/test/callback").toString());
    }

    @AfterAll
    static void stop() {
        provider.close();
        mailNode.close();
    }

    /** What a browser and the app went through: the node's redirects and the app's code. */
    record Flow(String verifier, String cookie, URI providerUrl, URI callback, HttpResponse<String> atApp) {}

    static String verifier() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String challenge(String verifier) throws Exception {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    }

    static HttpResponse<String> get(URI uri, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return node.exchange(request.build()); // the node's client follows no redirects
    }

    static HttpResponse<String> authorize(String redirect, String challenge) {
        return get(node.url("/v1/projects/default/auth/oidc/test/authorize?redirect_uri="
                + URLEncoder.encode(redirect, StandardCharsets.UTF_8) + "&code_challenge=" + challenge
                + "&code_challenge_method=S256"), null);
    }

    /** The browser's part: to the provider and back to the node's callback, which sends it to the app. */
    static Flow browse() throws Exception {
        String verifier = verifier();
        HttpResponse<String> started = authorize(APP, challenge(verifier));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        String setCookie = started.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Lax").contains("Path=/v1/projects/default/auth/oidc/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        URI providerUrl = URI.create(started.headers().firstValue("Location").orElseThrow());
        assertThat(providerUrl.toString()).startsWith(provider.issuer() + "/authorize?")
                .contains("code_challenge_method=S256").contains("nonce=").contains("state=");
        HttpResponse<String> atProvider = get(providerUrl, null);
        assertThat(atProvider.statusCode()).isEqualTo(302);
        URI callback = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
        return new Flow(verifier, cookie, providerUrl, callback, get(callback, cookie));
    }

    static String appCode(Flow flow) {
        assertThat(flow.atApp().statusCode()).as(flow.atApp().body()).isEqualTo(302);
        String to = flow.atApp().headers().firstValue("Location").orElseThrow();
        assertThat(to).startsWith(APP + "?code=oc_");
        return to.substring((APP + "?code=").length());
    }

    static HttpResponse<String> redeem(String code, String verifier) {
        return node.send("POST", "/v1/projects/default/auth/oidc/token", TestNode.write(Map.of("code", code,
                "codeVerifier", verifier)), null);
    }

    static JsonNode logIn() throws Exception {
        Flow flow = browse();
        HttpResponse<String> session = redeem(appCode(flow), flow.verifier());
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        return TestNode.json(session);
    }

    static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(TestNode.json(response).path("error").asText()).as(response.body()).isEqualTo(code);
    }

    @Test
    void aFirstLoginMakesAVerifiedUserAndTheNextIsTheSameUser() throws Exception {
        assertThat(node.send("PUT", "/v1/topics/user.created", null).statusCode()).isEqualTo(201);
        node.deploy("on-oidc-user", "dev.cumulus.testfn.CloudEventLog", Map.of());
        assertThat(node.send("POST", "/v1/topics/user.created/subscriptions",
                "{\"function\":\"on-oidc-user\"}").statusCode()).isEqualTo(201);
        provider.signInAs(new TestOidcProvider.Account("sub-grace", "Grace@Example.com", true));
        JsonNode first = logIn();
        assertThat(first.path("refreshToken").asText()).startsWith("rt_");
        HttpResponse<String> me = node.send("GET", "/v1/projects/default/auth/me", null, first.path("accessToken").asText());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(TestNode.json(me).path("email").asText()).isEqualTo("grace@example.com");
        assertThat(TestNode.json(me).path("emailVerified").asBoolean()).isTrue();
        JsonNode second = logIn();
        assertThat(second.path("userId").asText()).isEqualTo(first.path("userId").asText());
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicsTest.logLinesOf(node, "on-oidc-user").stream()
                .anyMatch(l -> l.contains("|user.created|") && l.contains("grace@example.com")));
        // such a user has no password: a password login fails like any wrong one
        assertError(node.send("POST", "/v1/projects/default/auth/login",
                "{\"email\":\"grace@example.com\",\"password\":\"anything at all here\"}", null), 401, "InvalidCredentials");
    }

    @Test
    void stateCodesAndVerifiersWorkOnceForTheBrowserAndAppThatStartedThem() throws Exception {
        provider.signInAs(new TestOidcProvider.Account("sub-hal", "hal@example.com", true));
        Flow flow = browse();
        String code = appCode(flow);
        assertError(redeem(code, verifier()), 400, "InvalidCode"); // another app's verifier
        assertThat(redeem(code, flow.verifier()).statusCode()).isEqualTo(200);
        assertError(redeem(code, flow.verifier()), 400, "InvalidCode"); // spent
        assertError(get(flow.callback(), flow.cookie()), 400, "InvalidState"); // a replayed callback

        // a callback in another browser (login CSRF): no cookie, or another login's
        String verifier = verifier();
        HttpResponse<String> started = authorize(APP, challenge(verifier));
        URI callback = URI.create(get(URI.create(started.headers().firstValue("Location").orElseThrow()), null)
                .headers().firstValue("Location").orElseThrow());
        assertError(get(callback, null), 403, "LoginNotStartedHere");
        assertError(get(callback, flow.cookie()), 403, "LoginNotStartedHere");

        assertError(authorize("https://evil.example/steal", challenge(verifier)), 400, "InvalidParameter");
        assertError(authorize(APP, "short"), 400, "InvalidParameter");
        assertError(get(node.url("/v1/projects/default/auth/oidc/nope/authorize?redirect_uri=x"), null), 404, "NotFound");
    }

    @Test
    void anIdTokenForAnotherLoginOrAnUnvouchedAddressIsRefused() throws Exception {
        provider.signInAs(new TestOidcProvider.Account("sub-ivy", "ivy@example.com", true));
        provider.answerWrongNonce(true);
        try {
            assertError(browse().atApp(), 401, "InvalidIdToken");
        } finally {
            provider.answerWrongNonce(false);
        }
        provider.signInAs(new TestOidcProvider.Account("sub-jo", "jo@example.com", false));
        assertError(browse().atApp(), 403, "EmailNotVerified");
    }

    @Test
    void aFirstLoginLinksAVerifiedAccountOfTheSameAddressAndNeverAnUnverifiedOne() throws Exception {
        String password = "{\"email\":\"%s\",\"password\":\"correct horse battery\"}";
        // verified: the provider's login is the same user
        assertThat(node.send("POST", "/v1/projects/default/auth/signup", password.formatted("kim@example.com"), null)
                .statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> Arrays.stream(smtp.getReceivedMessages()).anyMatch(m ->
                GreenMailUtil.getHeaders(m).contains("kim@example.com")));
        String body = GreenMailUtil.getBody(Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> GreenMailUtil.getHeaders(m).contains("kim@example.com")).findFirst().orElseThrow());
        Matcher m = CODE.matcher(body);
        assertThat(m.find()).isTrue();
        assertThat(node.send("POST", "/v1/projects/default/auth/verify", "{\"token\":\"" + m.group(1) + "\"}", null)
                .statusCode()).isEqualTo(200);
        String kim = TestNode.json(node.send("POST", "/v1/projects/default/auth/login", password.formatted("kim@example.com"),
                null)).path("userId").asText();
        provider.signInAs(new TestOidcProvider.Account("sub-kim", "kim@example.com", true));
        assertThat(logIn().path("userId").asText()).isEqualTo(kim);

        // unverified: whoever registered the address first does not get the provider's user
        assertThat(node.send("POST", "/v1/projects/default/auth/signup", password.formatted("lee@example.com"), null)
                .statusCode()).isEqualTo(202);
        provider.signInAs(new TestOidcProvider.Account("sub-lee", "lee@example.com", true));
        assertError(browse().atApp(), 409, "AccountNotVerified");
    }

    @Test
    void providersAreAdminSettingsWithPreciseErrors() {
        HttpResponse<String> list = node.send("GET", "/v1/user-oidc-providers", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"name\":\"test\"").doesNotContain(provider.clientSecret);
        assertError(node.send("PUT", "/v1/user-oidc-providers/cleartext", TestNode.write(Map.of("issuer",
                "http://idp.example", "clientId", "c", "clientSecret", "s", "redirectUris", java.util.List.of(APP)))),
                400, "InvalidParameter");
        assertError(node.send("PUT", "/v1/user-oidc-providers/extra", TestNode.write(Map.of("issuer",
                "https://idp.example", "clientId", "c", "clientSecret", "s", "redirectUris", java.util.List.of(APP),
                "scopes", "x"))), 400, "InvalidParameter");
        assertThat(node.send("PUT", "/v1/user-oidc-providers/gone", TestNode.write(Map.of("issuer",
                "https://idp.example", "clientId", "c", "clientSecret", "s", "redirectUris", java.util.List.of(APP))))
                .statusCode()).isEqualTo(200);
        assertThat(node.send("DELETE", "/v1/user-oidc-providers/gone", null).statusCode()).isEqualTo(204);
        assertError(node.send("DELETE", "/v1/user-oidc-providers/gone", null), 404, "NotFound");
        assertThat(node.send("GET", "/v1/user-oidc-providers", null, null).statusCode())
                .as("admin routes need a principal").isEqualTo(401);
    }
}
