package dev.cumulus.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.store.StoreException;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end users' tables and the access tokens signed with keys kept in them; one subclass per Store backend. */
abstract class UsersStoreContract {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @TempDir
    Path dir;

    TestDatabase test;
    MutableClock clock;
    SecretBox box;
    UserTokens tokens;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() throws Exception {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        clock = new MutableClock(T0);
        box = SecretBox.loadOrCreate(Files.createDirectories(dir.resolve("node")));
        tokens = new UserTokens(test.db(), box, clock);
    }

    @AfterEach
    void close() {
        test.close();
    }

    UserStore.User add(String project, String id, String email) {
        return test.db().inTransaction(c -> {
            UserStore.insert(c, UserStore.newUser(project, id, email, "$argon2id$hash", clock.instant()));
            return UserStore.byId(c, project, id).orElseThrow();
        });
    }

    java.util.Optional<UserStore.User> byId(String project, String id) {
        return test.db().withConnection(c -> UserStore.byId(c, project, id));
    }

    java.util.Optional<UserStore.User> byEmail(String project, String email) {
        return test.db().withConnection(c -> UserStore.byEmail(c, project, email));
    }

    java.util.List<UserStore.User> list(String project, String after, int limit) {
        return test.db().withConnection(c -> UserStore.list(c, project, after, limit));
    }

    boolean markUsed(String hash) {
        return test.db().withConnection(c -> UserStore.markUsed(c, hash, T0));
    }

    java.util.Optional<UserStore.Refresh> refresh(String project, String hash) {
        return test.db().withConnection(c -> UserStore.refresh(c, project, hash));
    }

    java.util.Optional<UserStore.MailToken> take(String hash, String purpose, Instant at) {
        return test.db().inTransaction(c -> UserStore.takeMailToken(c, "shop", hash, purpose, at));
    }

    boolean delete(String id) {
        return test.db().inTransaction(c -> UserStore.delete(c, "shop", id));
    }

    @Test
    void anEmailIsUniqueWithinAProjectButNotAcrossProjects() {
        add("shop", "u-1", "ada@example.com");
        add("blog", "u-2", "ada@example.com");
        assertThatThrownBy(() -> add("shop", "u-3", "ada@example.com")).isInstanceOf(StoreException.class);
        assertThat(byEmail("shop", "ada@example.com").orElseThrow().id())
                .isEqualTo("u-1");
        assertThat(byEmail("blog", "ada@example.com").orElseThrow().id())
                .isEqualTo("u-2");
        assertThat(byId("blog", "u-1")).isEmpty();
    }

    @Test
    void anonymousUsersHaveNoEmailAndManyOfThemFitOneProject() {
        add("shop", "u-a", null);
        add("shop", "u-b", null);
        assertThat(list("shop", null, 10)).extracting(UserStore.User::anonymous)
                .containsExactly(true, true);
        test.db().inTransaction(c -> {
            UserStore.upgrade(c, "shop", "u-a", "a@example.com", "$argon2id$x", clock.instant());
            return null;
        });
        UserStore.User upgraded = byId("shop", "u-a").orElseThrow();
        assertThat(upgraded.anonymous()).isFalse();
        assertThat(upgraded.emailVerified()).isFalse();
    }

    @Test
    void listingPagesByIdAndUpdatesAreStored() {
        for (int i = 0; i < 5; i++) {
            add("shop", "u-" + i, "u" + i + "@example.com");
        }
        assertThat(list("shop", null, 2)).extracting(UserStore.User::id)
                .containsExactly("u-0", "u-1");
        assertThat(list("shop", "u-1", 10)).extracting(UserStore.User::id)
                .containsExactly("u-2", "u-3", "u-4");
        clock.advance(Duration.ofMinutes(1));
        test.db().inTransaction(c -> {
            UserStore.setClaims(c, "shop", "u-0", Map.of("role", "editor", "tier", 3), clock.instant());
            UserStore.setDisabled(c, "shop", "u-1", true, clock.instant());
            UserStore.markVerified(c, "shop", "u-2", clock.instant());
            return null;
        });
        UserStore.User claims = byId("shop", "u-0").orElseThrow();
        assertThat(claims.claims()).isEqualTo(Map.of("role", "editor", "tier", 3));
        assertThat(claims.updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        UserStore.User disabled = byId("shop", "u-1").orElseThrow();
        assertThat(disabled.disabled()).isTrue();
        assertThat(disabled.tokenGeneration()).isEqualTo(1); // its access tokens are refused now
        assertThat(byId("shop", "u-2").orElseThrow().emailVerified()).isTrue();
        long count = test.db().withConnection(c -> UserStore.count(c, "shop"));
        assertThat(count).isEqualTo(5);
    }

    @Test
    void aRefreshTokenIsUsedOnceAndItsFamilyCanBeRevokedWhole() {
        add("shop", "u-1", "ada@example.com");
        Instant later = T0.plus(Duration.ofDays(30));
        test.db().inTransaction(c -> {
            UserStore.insertRefresh(c, "h1", "shop", "u-1", "fam", T0, later);
            UserStore.insertRefresh(c, "h2", "shop", "u-1", "fam", T0, later);
            UserStore.insertRefresh(c, "h3", "shop", "u-1", "other", T0, later);
            return null;
        });
        assertThat(markUsed("h1")).isTrue();
        assertThat(markUsed("h1")).as("a second use").isFalse();
        assertThat(refresh("shop", "h1").orElseThrow().usedAt()).isEqualTo(T0);
        assertThat(refresh("blog", "h1")).as("another project's").isEmpty();
        int revoked = test.db().withConnection(c -> UserStore.revokeFamily(c, "shop", "fam", T0));
        assertThat(revoked).isEqualTo(2);
        assertThat(refresh("shop", "h2").orElseThrow().revokedAt()).isNotNull();
        assertThat(markUsed("h2")).as("a revoked token").isFalse();
        assertThat(refresh("shop", "h3").orElseThrow().revokedAt()).isNull();
    }

    @Test
    void aMailedTokenWorksOnceForItsPurposeUntilItExpires() {
        add("shop", "u-1", "ada@example.com");
        test.db().inTransaction(c -> {
            UserStore.insertMailToken(c, "v1", "shop", "u-1", "verify", null, T0, T0.plus(Duration.ofHours(24)));
            UserStore.insertMailToken(c, "r1", "shop", "u-1", "reset", null, T0, T0.plus(Duration.ofHours(1)));
            return null;
        });
        assertThat(take("v1", "reset", T0)).as("wrong purpose").isEmpty();
        assertThat(take("v1", "verify", T0)).isPresent();
        assertThat(take("v1", "verify", T0)).as("used").isEmpty();
        Instant late = T0.plus(Duration.ofHours(2));
        assertThat(take("r1", "reset", late)).as("expired").isEmpty();
    }

    @Test
    void deletingAUserDeletesItsTokens() {
        add("shop", "u-1", "ada@example.com");
        test.db().inTransaction(c -> {
            UserStore.insertRefresh(c, "h1", "shop", "u-1", "fam", T0, T0.plusSeconds(60));
            UserStore.insertMailToken(c, "v1", "shop", "u-1", "verify", null, T0, T0.plusSeconds(60));
            return null;
        });
        assertThat(delete("u-1")).isTrue();
        assertThat(delete("u-1")).isFalse();
        assertThat(refresh("shop", "h1")).isEmpty();
        assertThat(take("v1", "verify", T0)).isEmpty();
    }

    // --- access tokens ---

    @Test
    void eachProjectSignsWithItsOwnSealedKeyThatOutlivesARestart() {
        UserStore.User ada = add("shop", "u-1", "ada@example.com");
        String token = tokens.issue(ada);
        String sealed = test.db().withConnection(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT sealed_jwk FROM user_signing_keys WHERE project = 'shop'")) {
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        assertThat(sealed).doesNotContain("\"d\"");
        UserTokens afterRestart = new UserTokens(test.reopen(), box, clock);
        UserTokens.VerifiedUser who = afterRestart.verify("shop", token).orElseThrow();
        assertThat(who.userId()).isEqualTo("u-1");
        assertThat(who.email()).isEqualTo("ada@example.com");
        assertThat(afterRestart.jwks("shop").getKeys()).hasSize(1);
        assertThat(afterRestart.jwks("shop").getKeys().getFirst().isPrivate()).isFalse();
        assertThat(afterRestart.jwks("blog").getKeys().getFirst().getKeyID())
                .isNotEqualTo(afterRestart.jwks("shop").getKeys().getFirst().getKeyID());
        assertThat(afterRestart.verify("blog", token)).as("another project's token").isEmpty();
    }

    @Test
    void expiryAllowsTheDocumentedClockSkewAndNoMore() {
        String token = tokens.issue(add("shop", "u-1", "ada@example.com"));
        clock.advance(UserTokens.ACCESS_TTL.plus(UserTokens.CLOCK_SKEW).minusSeconds(1));
        assertThat(tokens.verify("shop", token)).isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(tokens.verify("shop", token)).isEmpty();
    }

    @Test
    void aTokenIssuedInTheFutureBeyondTheSkewIsRefused() {
        String token = tokens.issue(add("shop", "u-1", "ada@example.com"));
        clock.set(T0.minus(UserTokens.CLOCK_SKEW).minusSeconds(5));
        assertThat(tokens.verify("shop", token)).isEmpty();
    }

    @Test
    void tamperedUnsignedHmacAndForeignKeyTokensAreRefused() throws Exception {
        UserStore.User ada = add("shop", "u-1", "ada@example.com");
        String good = tokens.issue(ada);
        ECKey key = tokens.signingKey("shop");
        JWTClaimsSet claims = SignedJWT.parse(good).getJWTClaimsSet();
        // another subject, same signature
        String[] parts = good.split("\\.");
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("u-1", "u-2");
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes()) + "." + parts[2];
        assertThat(tokens.verify("shop", tampered)).isEmpty();
        // alg: none
        assertThat(tokens.verify("shop", new PlainJWT(claims).serialize())).isEmpty();
        // HS256 keyed with the public key, the classic confusion
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                .type(UserTokens.ACCESS_TYPE).build(), claims);
        hmac.sign(new MACSigner(key.toPublicJWK().toECPublicKey().getEncoded()));
        assertThat(tokens.verify("shop", hmac.serialize())).isEmpty();
        // ES256 with a key that is not the project's
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate();
        SignedJWT foreign = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(UserTokens.ACCESS_TYPE).build(), claims);
        foreign.sign(new ECDSASigner(stranger));
        assertThat(tokens.verify("shop", foreign.serialize())).isEmpty();
        // the right key, but not an access token (no typ)
        SignedJWT untyped = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        untyped.sign(new ECDSASigner(key));
        assertThat(tokens.verify("shop", untyped.serialize())).isEmpty();
        // the right key and type, another issuer
        SignedJWT otherIssuer = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(UserTokens.ACCESS_TYPE).build(), new JWTClaimsSet.Builder(claims).issuer("someone-else")
                .expirationTime(Date.from(T0.plusSeconds(60))).build());
        otherIssuer.sign(new ECDSASigner(key));
        assertThat(tokens.verify("shop", otherIssuer.serialize())).isEmpty();
        assertThat(tokens.verify("shop", good)).isPresent();
        assertThat(tokens.verify("shop", "not.a.jwt")).isEmpty();
    }

    private <T> T read(dev.cumulus.store.SqlWork<T> work) {
        return test.db().withConnection(work);
    }

    private <T> T write(dev.cumulus.store.SqlWork<T> work) {
        return test.db().inTransaction(work);
    }

    @Test
    void oidcProvidersLoginsAndIdentitiesArePerProjectAndSpentOnce() {
        OidcStore.Provider google = new OidcStore.Provider("shop", "google", "https://accounts.example", "client",
                "sealed", java.util.List.of("https://shop.example/done"), T0, T0);
        test.db().inTransaction(c -> {
            OidcStore.putProvider(c, google);
            OidcStore.putProvider(c, new OidcStore.Provider("shop", "google", "https://accounts.example", "client-2",
                    "sealed-2", java.util.List.of("https://shop.example/a", "https://shop.example/b"), T0, T0.plusSeconds(5)));
            return null;
        });
        OidcStore.Provider stored = test.db().withConnection(c -> OidcStore.provider(c, "shop", "google")).orElseThrow();
        assertThat(stored.clientId()).isEqualTo("client-2");
        assertThat(stored.redirectUris()).containsExactly("https://shop.example/a", "https://shop.example/b");
        assertThat(this.<java.util.Optional<OidcStore.Provider>>read(c -> OidcStore.provider(c, "blog", "google"))).isEmpty();
        assertThat(this.<java.util.List<OidcStore.Provider>>read(c -> OidcStore.providers(c, "shop", null))).hasSize(1);

        OidcStore.Login login = new OidcStore.Login("state-1", "shop", "google", "secrets", "binding", "https://node/cb",
                "https://shop.example/a", "challenge", T0.plusSeconds(600), null, null, null);
        test.db().inTransaction(c -> {
            OidcStore.insertLogin(c, login, T0);
            return null;
        });
        assertThat(this.<java.util.Optional<OidcStore.Login>>read(c -> OidcStore.loginByState(c, "blog", "state-1"))).isEmpty();
        assertThat(this.<Boolean>write(c -> OidcStore.spendState(c, "state-1", T0))).isTrue();
        assertThat(this.<Boolean>write(c -> OidcStore.spendState(c, "state-1", T0))).as("a replay").isFalse();
        test.db().inTransaction(c -> {
            OidcStore.finish(c, "state-1", "u-1", "result-1", T0.plusSeconds(120));
            return null;
        });
        OidcStore.Login finished = test.db().withConnection(c -> OidcStore.loginByResult(c, "shop", "result-1")).orElseThrow();
        assertThat(finished.userId()).isEqualTo("u-1");
        assertThat(finished.usedAt()).isEqualTo(T0);
        assertThat(this.<Boolean>write(c -> OidcStore.spendResult(c, "result-1", T0))).isTrue();
        assertThat(this.<Boolean>write(c -> OidcStore.spendResult(c, "result-1", T0))).isFalse();
        // an expired login is swept by the next one
        test.db().inTransaction(c -> {
            OidcStore.insertLogin(c, new OidcStore.Login("state-2", "shop", "google", "s", "b", "cb", "app", "ch",
                    T0.plusSeconds(900), null, null, null), T0.plusSeconds(800));
            return null;
        });
        assertThat(this.<java.util.Optional<OidcStore.Login>>read(c -> OidcStore.loginByState(c, "shop", "state-1"))).isEmpty();

        add("shop", "u-1", "ada@example.com");
        test.db().inTransaction(c -> {
            OidcStore.link(c, "shop", "google", "sub-1", "u-1", T0);
            return null;
        });
        assertThat(this.<java.util.Optional<String>>read(c -> OidcStore.userOf(c, "shop", "google", "sub-1"))).contains("u-1");
        assertThat(this.<java.util.Optional<String>>read(c -> OidcStore.userOf(c, "blog", "google", "sub-1"))).isEmpty();
        test.db().inTransaction(c -> UserStore.delete(c, "shop", "u-1"));
        assertThat(this.<java.util.Optional<String>>read(c -> OidcStore.userOf(c, "shop", "google", "sub-1")))
                .as("a deleted user's identities go with them").isEmpty();
        assertThat(this.<Boolean>write(c -> OidcStore.deleteProvider(c, "shop", "google"))).isTrue();
        assertThat(this.<Boolean>write(c -> OidcStore.deleteProvider(c, "shop", "google"))).isFalse();
    }

    @Test
    void passkeysAndTheirChallengesArePerProjectAndChallengesWorkOnce() {
        Instant later = T0.plusSeconds(300);
        write(c -> {
            PasskeyStore.insertChallenge(c, "ch-1", new PasskeyStore.Challenge("shop", "register", "u-1", later), T0);
            PasskeyStore.insertChallenge(c, "ch-2", new PasskeyStore.Challenge("shop", "login", null, later), T0);
            return null;
        });
        assertThat(this.<java.util.Optional<PasskeyStore.Challenge>>write(c -> PasskeyStore.takeChallenge(c, "blog", "ch-1",
                "register", T0))).as("another project's").isEmpty();
        assertThat(this.<java.util.Optional<PasskeyStore.Challenge>>write(c -> PasskeyStore.takeChallenge(c, "shop", "ch-1",
                "login", T0))).as("another purpose").isEmpty();
        assertThat(this.<java.util.Optional<PasskeyStore.Challenge>>write(c -> PasskeyStore.takeChallenge(c, "shop", "ch-1",
                "register", T0))).get().extracting(PasskeyStore.Challenge::userId).isEqualTo("u-1");
        assertThat(this.<java.util.Optional<PasskeyStore.Challenge>>write(c -> PasskeyStore.takeChallenge(c, "shop", "ch-1",
                "register", T0))).as("spent").isEmpty();
        assertThat(this.<java.util.Optional<PasskeyStore.Challenge>>write(c -> PasskeyStore.takeChallenge(c, "shop", "ch-2",
                "login", later.plusSeconds(1)))).as("expired").isEmpty();

        add("shop", "u-1", "ada@example.com");
        write(c -> {
            PasskeyStore.insert(c, new PasskeyStore.Passkey("shop", "cred-1", "u-1", "AAAA", 0, true, false), T0);
            return null;
        });
        assertThat(this.<java.util.Optional<PasskeyStore.Passkey>>read(c -> PasskeyStore.byId(c, "blog", "cred-1"))).isEmpty();
        write(c -> {
            PasskeyStore.used(c, "shop", "cred-1", 7, true, T0);
            return null;
        });
        PasskeyStore.Passkey used = this.<java.util.Optional<PasskeyStore.Passkey>>read(c -> PasskeyStore.byId(c, "shop",
                "cred-1")).orElseThrow();
        assertThat(used.signCount()).isEqualTo(7);
        assertThat(used.backupState()).isTrue();
        assertThat(this.<java.util.List<PasskeyStore.Passkey>>read(c -> PasskeyStore.ofUser(c, "shop", "u-1"))).hasSize(1);
        write(c -> UserStore.delete(c, "shop", "u-1"));
        assertThat(this.<java.util.List<PasskeyStore.Passkey>>read(c -> PasskeyStore.ofUser(c, "shop", "u-1")))
                .as("a deleted user's passkeys go with them").isEmpty();
    }
}
