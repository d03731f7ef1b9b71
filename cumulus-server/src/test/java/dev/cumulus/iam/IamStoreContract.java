package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.auth.AccessKeys;
import dev.cumulus.auth.RootToken;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projects, API keys, users, roles, the audit log and the guard over them; one subclass per Store backend. */
abstract class IamStoreContract {
    static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    static final Policy INVOKE_ORDERS = Policy.parse("p", """
            {"Version":"2026-12-01","Statement":[{"Sid":"Orders","Effect":"Allow","Action":"functions:Invoke",
             "Resource":"crn:cumulus:functions:shop:orders-*"}]}""");

    @TempDir
    Path dir;

    TestDatabase test;
    MutableClock clock;
    Iam iam;
    AccessKeys accessKeys;
    IamGuard guard;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() throws Exception {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        clock = new MutableClock(T0);
        iam = Iam.open(test.db(), clock);
        Path node = Files.createDirectories(dir.resolve("node"));
        accessKeys = AccessKeys.open(test.db(), node, clock);
        guard = new IamGuard(RootToken.loadOrCreate(node), accessKeys, iam,
                token -> token.equals("exec-orders") ? Optional.of(new Principal(Principal.Kind.ROLE, "orders", "shop"))
                        : Optional.empty(), clock);
    }

    @AfterEach
    void close() {
        test.close();
    }

    Guard.Facts facts() {
        return new Guard.Facts(InetAddress.getLoopbackAddress(), clock.instant());
    }

    @Test
    void defaultExistsAndProjectsAreCreatedListedAndDeleted() {
        assertThat(iam.projects().list()).extracting(Projects.Project::name).containsExactly("default");

        iam.projects().create("shop", "the shop");
        assertThat(iam.projects().get("shop")).map(Projects.Project::description).contains("the shop");
        assertThat(iam.projects().list()).extracting(Projects.Project::name).containsExactly("default", "shop");
        assertThatThrownBy(() -> iam.projects().create("shop", null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409));

        iam.projects().delete("shop");
        assertThat(iam.projects().get("shop")).isEmpty();
        assertThatThrownBy(() -> iam.projects().delete("shop"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> iam.projects().delete("default"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void projectNamesAreDnsLabels() {
        for (String bad : List.of("Shop", "-shop", "shop-", "sh_op", "a".repeat(64), "", "sh:op")) {
            assertThatThrownBy(() -> iam.projects().create(bad, null))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidProjectName"));
        }
        iam.projects().create("a", null);
        iam.projects().create("shop-2", null);
    }

    @Test
    void aProjectHoldingAnythingIsNotDeleted() {
        iam.projects().create("shop", null);
        ApiKeys.Created key = iam.apiKeys().create("shop", "ci", List.of(INVOKE_ORDERS), null);
        iam.roles().create("shop", "orders", null, List.of());

        assertThatThrownBy(() -> iam.projects().delete("shop"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("ProjectNotEmpty");
                    assertThat(e.details().get("contents").toString()).contains("api keys=1", "roles=1");
                });

        iam.apiKeys().revoke("shop", key.key().id());
        iam.roles().delete("shop", "orders");
        iam.projects().delete("shop");
        assertThat(iam.projects().get("shop")).isEmpty();
    }

    @Test
    void apiKeysAreStoredHashedAndRefusedWhenRevokedOrExpired() {
        iam.projects().create("shop", null);
        ApiKeys.Created forever = iam.apiKeys().create("shop", "ci", List.of(INVOKE_ORDERS), null);
        ApiKeys.Created shortLived = iam.apiKeys().create("shop", null, List.of(INVOKE_ORDERS), T0.plus(Duration.ofMinutes(5)));

        assertThat(forever.token()).startsWith("ck_").hasSize(46);
        List<String> stored = column("SELECT token_sha256 FROM iam_api_keys");
        assertThat(stored).hasSize(2).noneMatch(h -> h.contains(forever.token().substring(3)));
        assertThat(guard.bearer("Bearer " + forever.token(), facts()))
                .contains(new Principal(Principal.Kind.API_KEY, forever.key().id(), "shop"));
        assertThat(guard.bearer("Bearer " + shortLived.token(), facts())).isPresent();
        assertThat(guard.bearer("Bearer ck_" + "x".repeat(43), facts())).isEmpty();

        clock.advance(Duration.ofMinutes(5));
        assertThat(guard.bearer("Bearer " + shortLived.token(), facts())).isEmpty();
        assertThat(guard.policies(new Principal(Principal.Kind.API_KEY, shortLived.key().id(), "shop"), facts())).isEmpty();

        iam.apiKeys().revoke("shop", forever.key().id());
        assertThat(guard.bearer("Bearer " + forever.token(), facts())).isEmpty();
        assertThat(iam.apiKeys().list("shop")).filteredOn(k -> k.id().equals(forever.key().id()))
                .extracting(ApiKeys.ApiKey::revokedAt).containsExactly(clock.instant());
        assertThatThrownBy(() -> iam.apiKeys().revoke("shop", forever.key().id()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aKeyOfOneProjectIsNotRevokedOrListedThroughAnother() {
        iam.projects().create("a", null);
        iam.projects().create("b", null);
        ApiKeys.Created ofB = iam.apiKeys().create("b", null, List.of(Policy.admin("b")), null);

        assertThat(iam.apiKeys().list("a")).isEmpty();
        assertThatThrownBy(() -> iam.apiKeys().revoke("a", ofB.key().id()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(guard.bearer("Bearer " + ofB.token(), facts())).isPresent();
    }

    @Test
    void usersLogInWithArgon2idHashesAndSessionsEndWithTheUser() {
        iam.projects().create("shop", null);
        iam.users().create("shop", "alice", "correct horse battery", List.of(Policy.admin("shop")));

        assertThat(column("SELECT password_hash FROM iam_users")).singleElement().asString()
                .startsWith("$argon2id$v=19$m=19456,t=2,p=1$").doesNotContain("correct horse");
        assertThat(iam.users().login("shop", "alice", "wrong password!!")).isEmpty();
        assertThat(iam.users().login("shop", "bob", "correct horse battery")).isEmpty();
        assertThat(iam.users().login("default", "alice", "correct horse battery")).isEmpty();
        AdminUsers.Session session = iam.users().login("shop", "alice", "correct horse battery").orElseThrow();
        assertThat(session.token()).startsWith("cs_");
        assertThat(session.expiresAt()).isEqualTo(T0.plus(AdminUsers.SESSION_LIFETIME));
        assertThat(guard.bearer("Bearer " + session.token(), facts()))
                .contains(new Principal(Principal.Kind.USER, "alice", "shop"));

        clock.advance(AdminUsers.SESSION_LIFETIME);
        assertThat(guard.bearer("Bearer " + session.token(), facts())).isEmpty();

        AdminUsers.Session second = iam.users().login("shop", "alice", "correct horse battery").orElseThrow();
        iam.users().delete("shop", "alice");
        assertThat(guard.bearer("Bearer " + second.token(), facts())).isEmpty();
        assertThatThrownBy(() -> iam.users().create("shop", "bob", "short", List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void rolesGiveExecutionTokensTheirPoliciesAndAChangeAppliesAtOnce() {
        iam.projects().create("shop", null);
        Principal orders = guard.bearer("Bearer exec-orders", facts()).orElseThrow();
        assertThat(orders).isEqualTo(new Principal(Principal.Kind.ROLE, "orders", "shop"));
        Crn create = Crn.of("functions", "shop", "orders-create");

        // a token naming a role that does not exist may do nothing
        assertThatThrownBy(() -> guard.authorize(orders, "functions:Invoke", create, facts()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));

        iam.roles().create("shop", "orders", "the orders service", List.of(INVOKE_ORDERS));
        guard.authorize(orders, "functions:Invoke", create, facts());
        assertThatThrownBy(() -> guard.authorize(orders, "functions:Invoke", Crn.of("functions", "shop", "billing-run"),
                facts())).isInstanceOf(ApiException.class);

        iam.roles().setPolicies("shop", "orders", List.of());
        assertThat(guard.decide(orders, "functions:Invoke", create, facts()).allowed()).isFalse();
        assertThat(iam.roles().list("shop")).extracting(Roles.Role::name).containsExactly("orders");
        iam.roles().delete("shop", "orders");
        assertThat(iam.roles().get("shop", "orders")).isEmpty();
    }

    @Test
    void theGuardConfinesEveryPrincipalToItsProject() {
        iam.projects().create("shop", null);
        iam.projects().create("other", null);
        ApiKeys.Created admin = iam.apiKeys().create("shop", null, List.of(Policy.parse("all", """
                {"Version":"2026-12-01","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""")), null);
        Principal key = guard.bearer("Bearer " + admin.token(), facts()).orElseThrow();

        guard.authorize(key, "functions:Delete", Crn.of("functions", "shop", "f"), facts());
        assertThatThrownBy(() -> guard.authorize(key, "functions:Delete", Crn.of("functions", "other", "f"), facts()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("AccessDenied"));
        assertThat(guard.project(key, null)).isEqualTo("shop");
        assertThat(guard.project(key, "shop")).isEqualTo("shop");
        assertThatThrownBy(() -> guard.project(key, "other"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> guard.project(Principal.ROOT, "nope"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(guard.project(Principal.ROOT, null)).isEqualTo("default");
        guard.authorize(Principal.ROOT, "functions:Delete", Crn.of("functions", "other", "f"), facts());
    }

    @Test
    void accessKeysCarryAProjectPoliciesAndAnExpiry() {
        iam.projects().create("shop", null);
        AccessKeys.Created key = accessKeys.create("shop", "sdk", Policies.toJson(List.of(INVOKE_ORDERS)),
                T0.plus(Duration.ofHours(1)));
        Principal principal = guard.accessKey(key.key().accessKeyId(), facts()).orElseThrow();

        assertThat(principal).isEqualTo(new Principal(Principal.Kind.ACCESS_KEY, key.key().accessKeyId(), "shop"));
        guard.authorize(principal, "functions:Invoke", Crn.of("functions", "shop", "orders-x"), facts());
        assertThatThrownBy(() -> guard.authorize(principal, "functions:Invoke", Crn.of("functions", "shop", "other"),
                facts())).isInstanceOf(ApiException.class);
        assertThat(accessKeys.list("shop")).extracting(AccessKeys.Key::project).containsExactly("shop");
        assertThat(accessKeys.list("default")).isEmpty();
        assertThat(accessKeys.delete("default", key.key().accessKeyId())).isFalse();

        clock.advance(Duration.ofHours(1));
        assertThat(accessKeys.secret(key.key().accessKeyId())).isEmpty();
        assertThat(guard.accessKey(key.key().accessKeyId(), facts())).isEmpty();
    }

    @Test
    void theAuditLogKeepsDenialsAndChangesAndFiltersThem() {
        iam.projects().create("shop", null);
        ApiKeys.Created created = iam.apiKeys().create("shop", null, List.of(INVOKE_ORDERS), null);
        Principal key = guard.bearer("Bearer " + created.token(), facts()).orElseThrow();

        guard.authorize(key, "functions:Invoke", Crn.of("functions", "shop", "orders-1"), facts()); // allowed data plane: not audited
        assertThatThrownBy(() -> guard.authorize(key, "functions:Delete", Crn.of("functions", "shop", "orders-1"), facts()))
                .isInstanceOf(ApiException.class);
        clock.advance(Duration.ofSeconds(1));
        guard.authorize(Principal.ROOT, "functions:CreateFunction", Crn.of("functions", "shop", "f"), facts());
        clock.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> guard.authorize(key, "functions:Invoke", Crn.of("functions", "default", "orders-1"),
                facts())).isInstanceOf(ApiException.class);

        List<AuditLog.Entry> shop = iam.audit().read(new AuditLog.Query().project("shop"));
        assertThat(shop).extracting(AuditLog.Entry::action).containsExactly("functions:CreateFunction", "functions:Delete");
        assertThat(shop.get(1).outcome()).isEqualTo(AuditLog.Outcome.DENY);
        assertThat(shop.get(1).principal()).isEqualTo(key.toString());
        assertThat(shop.get(1).source()).isEqualTo("127.0.0.1");
        assertThat(shop.get(1).resource()).isEqualTo("crn:cumulus:functions:shop:orders-1");
        assertThat(shop.get(1).detail()).contains("no statement allows");
        assertThat(iam.audit().read(new AuditLog.Query().outcome(AuditLog.Outcome.DENY)))
                .extracting(AuditLog.Entry::project).containsExactly("default", "shop");
        assertThat(iam.audit().read(new AuditLog.Query().principal(Principal.ROOT.toString()))).hasSize(1);
        assertThat(iam.audit().read(new AuditLog.Query().action("functions:Delete"))).hasSize(1);
        assertThat(iam.audit().read(new AuditLog.Query().from(T0.plus(Duration.ofSeconds(1))).to(T0.plus(Duration.ofSeconds(2)))))
                .extracting(AuditLog.Entry::action).containsExactly("functions:CreateFunction");
        assertThat(iam.audit().read(new AuditLog.Query().limit(1))).hasSize(1);
    }


    private static String pem(java.security.PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static String sign(String algorithm, java.security.PrivateKey key, String sha256Hex) throws Exception {
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(java.util.HexFormat.of().parseHex(sha256Hex));
        return java.util.Base64.getEncoder().encodeToString(signer.sign());
    }

    private List<String> column(String sql) {
        return test.db().withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(sql); ResultSet rs = select.executeQuery()) {
                List<String> values = new java.util.ArrayList<>();
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
                return values;
            }
        });
    }
}
