package dev.cumulus.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.PasswordHash;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.mail.Mail;
import dev.cumulus.store.Database;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project's end users and every flow of theirs: sign-up (or the upgrade of an anonymous user),
 * verification, login, rotating refresh, logout, reset, changes, deletion; the admin operations;
 * the auth events ({@code user.created}, {@code user.verified}, {@code user.deleted},
 * {@code user.login}, published to the project's topic of that name after commit when the topic
 * exists); and the blocking hooks ({@code beforeCreate}, {@code beforeSignIn}). See docs/auth.md.
 */
public final class EndUsers {
    private static final Logger LOG = LoggerFactory.getLogger(EndUsers.class);
    public static final Duration REFRESH_TTL = Duration.ofDays(30);
    static final Duration VERIFY_TTL = Duration.ofHours(24);
    static final Duration RESET_TTL = Duration.ofHours(1);
    static final int MIN_PASSWORD = 10;
    static final int MAX_PASSWORD = 256;
    static final int MAX_EMAIL = 254;
    static final Duration HOOK_DEADLINE = Duration.ofSeconds(5);
    private static final int BODY_LIMIT = 64 * 1024;
    private static final int CLAIMS_LIMIT = 4096;
    private static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final Database db;
    private final UserTokens tokens;
    private final Mail mail;
    private final TopicSink events;
    private final Invoker invoker;
    private final Predicate<String> projectExists;
    private final AbuseLimits abuse;
    private final Clock clock;
    private final OidcLogin oidc;
    private final Passkeys passkeys;
    /** Checked against for unknown addresses, so a miss costs what a wrong password costs. */
    private final String dummyHash = PasswordHash.unmatchable();

    private EndUsers(Builder b) {
        this.db = b.db;
        this.tokens = new UserTokens(b.db, b.box, b.clock);
        this.mail = b.mail;
        this.events = b.events;
        this.invoker = b.invoker;
        this.projectExists = b.projectExists;
        this.abuse = new AbuseLimits(b.limits, b.clock);
        this.clock = b.clock;
        this.oidc = new OidcLogin(this, b.db, b.box, b.clock);
        this.passkeys = new Passkeys(this, b.db, b.clock);
    }

    AbuseLimits abuse() {
        return abuse;
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ verification for others

    /**
     * The end user a bearer access token of {@code project} stands for: signature, claims, and the
     * user as stored now (exists, not disabled, the token not revoked). Routes and function URLs
     * with {@code auth: user} call this before any instance starts.
     */
    public Optional<UserTokens.VerifiedUser> authenticate(String project, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        Optional<UserTokens.VerifiedUser> verified = tokens.verify(project, authorization.substring(7).strip());
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        Optional<UserStore.User> user = db.withConnection(c -> UserStore.byId(c, project, verified.get().userId()));
        if (user.isEmpty() || user.get().disabled() || user.get().tokenGeneration() != verified.get().tokenGeneration()) {
            return Optional.empty();
        }
        return verified;
    }

    public UserTokens tokens() {
        return tokens;
    }

    /**
     * End users' access tokens as routes that take end users verify them (ADR 0034): the user's
     * id and the claims the rules see ({@code email} among them when the user has one).
     */
    public dev.cumulus.web.EndUserTokens endUserTokens() {
        return (project, authorization) -> authenticate(project, authorization).map(user -> {
            Map<String, Object> claims = new LinkedHashMap<>(user.claims());
            if (user.email() != null) {
                claims.putIfAbsent("email", user.email());
            }
            return new dev.cumulus.web.EndUserTokens.EndUser(user.userId(), claims);
        });
    }

    /** The origins a project lets call its auth and db routes from browsers ({@code allowedOrigins}); none by default. */
    public Set<String> allowedOrigins(String project) {
        Object origins = db.withConnection(c -> UserStore.settings(c, project)).get(ALLOWED_ORIGINS);
        if (!(origins instanceof List<?> list)) {
            return Set.of();
        }
        return list.stream().map(String::valueOf).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** What a project's deletion must wait for: its end users. */
    public dev.cumulus.iam.Projects.Contents contents() {
        return new dev.cumulus.iam.Projects.Contents() {
            @Override
            public String kind() {
                return "end users";
            }

            @Override
            public long count(String project) {
                return db.withConnection(c -> UserStore.count(c, project));
            }
        };
    }

    // ------------------------------------------------------------------ flows

    record Session(String accessToken, String refreshToken, long expiresIn, String userId) {
        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("accessToken", accessToken);
            m.put("refreshToken", refreshToken);
            m.put("tokenType", "Bearer");
            m.put("expiresIn", expiresIn);
            m.put("userId", userId);
            return m;
        }
    }

    String project(Call call) {
        String project = call.project();
        if (project == null) {
            throw ApiException.notFound("end-user auth is served per project: /v1/projects/{project}/auth/...");
        }
        if (!projectExists.test(project)) {
            throw ApiException.notFound("no project named '" + project + "'");
        }
        return project;
    }

    static String address(Call call) {
        return call.facts().source().getHostAddress();
    }

    private void signup(Call call) throws Exception {
        String project = project(call);
        abuse.perAddress("signup", address(call));
        Body body = Body.read(call, Set.of("email", "password"));
        String email = email(body.required("email"));
        String password = password(body.required("password"), "password");
        Optional<UserTokens.VerifiedUser> anonymous = call.header("Authorization") == null ? Optional.empty()
                : Optional.of(authenticate(project, call.header("Authorization")).orElseThrow(EndUsers::unauthorized));
        Map<String, Object> hookClaims = hook(project, "beforeCreate", email, address(call));
        String hash = PasswordHash.hash(password);
        Instant now = clock.instant();
        String verifyToken = secret();
        record Created(String userId, boolean isNew, boolean upgraded) {}
        Created created = db.inTransaction(c -> {
            if (UserStore.byEmail(c, project, email).isPresent()) {
                return new Created(null, false, false); // answered like a success: no enumeration
            }
            String id;
            boolean upgraded = false;
            if (anonymous.isPresent()) {
                UserStore.User user = UserStore.byId(c, project, anonymous.get().userId()).orElseThrow(EndUsers::unauthorized);
                if (!user.anonymous()) {
                    throw ApiException.conflict("AlreadySignedUp", "this session's user has an email address already");
                }
                id = user.id();
                UserStore.upgrade(c, project, id, email, hash, now);
                upgraded = true;
            } else {
                id = "u-" + UUID.randomUUID();
                UserStore.insert(c, UserStore.newUser(project, id, email, hash, now));
            }
            if (!hookClaims.isEmpty()) {
                UserStore.setClaims(c, project, id, hookClaims, now);
            }
            UserStore.insertMailToken(c, sha256(verifyToken), project, id, "verify", null, now, now.plus(VERIFY_TTL));
            mail.enqueue(c, project, "verification", email, Map.of("token", verifyToken));
            return new Created(id, true, upgraded);
        });
        if (created.isNew()) {
            mail.wake();
            publish(project, "user.created", created.userId(), Map.of("userId", created.userId(), "email", email,
                    "upgradedFromAnonymous", created.upgraded()));
        }
        call.json(202, Map.of("message", "if the address can be used, a verification mail is on its way to it"));
    }

    private void anonymous(Call call) throws Exception {
        String project = project(call);
        signingKeyReady(project);
        abuse.perAddress("signup", address(call));
        Body.read(call, Set.of());
        Map<String, Object> hookClaims = hook(project, "beforeCreate", null, address(call));
        String id = "u-" + UUID.randomUUID();
        Instant now = clock.instant();
        Session session = db.inTransaction(c -> {
            UserStore.insert(c, UserStore.newUser(project, id, null, null, now));
            if (!hookClaims.isEmpty()) {
                UserStore.setClaims(c, project, id, hookClaims, now);
            }
            return newSession(c, UserStore.byId(c, project, id).orElseThrow(), UUID.randomUUID().toString());
        });
        publish(project, "user.created", id, Map.of("userId", id, "anonymous", true));
        call.json(201, session.view());
    }

    private void login(Call call) throws Exception {
        String project = project(call);
        signingKeyReady(project);
        abuse.perAddress("login", address(call));
        Body body = Body.read(call, Set.of("email", "password"));
        String email = email(body.required("email"));
        String password = body.required("password");
        abuse.perAccount("login", project, email);
        abuse.requireUnlocked(project, email);
        Optional<UserStore.User> user = db.withConnection(c -> UserStore.byEmail(c, project, email));
        // the same work whether or not the address is known: one Argon2id verification
        // a user who signs in only through an OIDC provider has no password: checked against the dummy too
        String hash = user.map(UserStore.User::passwordHash).orElse(null);
        boolean matches = PasswordHash.verify(password.length() > MAX_PASSWORD ? "" : password,
                hash == null ? dummyHash : hash) && hash != null && password.length() <= MAX_PASSWORD;
        if (!matches) {
            abuse.failed(project, email);
            throw new ApiException(401, "InvalidCredentials", "wrong email or password");
        }
        abuse.succeeded(project, email);
        if (user.get().disabled()) {
            throw new ApiException(403, "UserDisabled", "this account is disabled");
        }
        Map<String, Object> hookClaims = hook(project, "beforeSignIn", email, address(call));
        Instant now = clock.instant();
        Session session = db.inTransaction(c -> {
            mergeClaims(c, user.get(), hookClaims, now);
            return newSession(c, UserStore.byId(c, project, user.get().id()).orElseThrow(), UUID.randomUUID().toString());
        });
        publish(project, "user.login", user.get().id(), Map.of("userId", user.get().id(), "email", email));
        call.json(200, session.view());
    }

    /**
     * The user a provider's verified login stands for (ADR 0032): the one linked to the provider's
     * subject; else, on a first login, the user with the address the provider vouches for
     * ({@code email_verified}), linked now, if that user verified it too (otherwise whoever
     * registered the address first could take over the account); else a new user, verified,
     * without a password. Runs the blocking hooks and publishes {@code user.created} and
     * {@code user.login} as password sign-ups and logins do.
     */
    OidcLogin.OidcUser oidcSignIn(String project, String provider, String subject, String rawEmail,
            boolean emailVerified, String sourceIp) {
        Instant now = clock.instant();
        Optional<String> linked = db.withConnection(c -> OidcStore.userOf(c, project, provider, subject));
        Optional<UserStore.User> existing;
        String email = null;
        if (linked.isPresent()) {
            existing = db.withConnection(c -> UserStore.byId(c, project, linked.get()));
        } else {
            if (rawEmail == null || !emailVerified) {
                throw new ApiException(403, "EmailNotVerified", "the provider did not vouch for an email address of "
                        + "this account (email_verified); it cannot sign in to this project");
            }
            email = email(rawEmail);
            String address = email;
            existing = db.withConnection(c -> UserStore.byEmail(c, project, address));
            if (existing.isPresent() && !existing.get().emailVerified()) {
                throw new ApiException(409, "AccountNotVerified", "an account with this address exists and has not "
                        + "verified it: log in with its password and verify the address first");
            }
        }
        if (existing.isPresent()) {
            UserStore.User user = existing.get();
            if (user.disabled()) {
                throw new ApiException(403, "UserDisabled", "this account is disabled");
            }
            Map<String, Object> hookClaims = hook(project, "beforeSignIn", user.email(), sourceIp);
            db.inTransaction(c -> {
                if (linked.isEmpty()) {
                    OidcStore.link(c, project, provider, subject, user.id(), now);
                }
                mergeClaims(c, user, hookClaims, now);
                return null;
            });
            publish(project, "user.login", user.id(), Map.of("userId", user.id(), "email", String.valueOf(user.email()),
                    "provider", provider));
            return new OidcLogin.OidcUser(user.id(), false);
        }
        Map<String, Object> hookClaims = hook(project, "beforeCreate", email, sourceIp);
        String id = "u-" + UUID.randomUUID();
        String address = email;
        db.inTransaction(c -> {
            UserStore.insert(c, UserStore.newUser(project, id, address, null, now));
            UserStore.markVerified(c, project, id, now);
            if (!hookClaims.isEmpty()) {
                UserStore.setClaims(c, project, id, hookClaims, now);
            }
            OidcStore.link(c, project, provider, subject, id, now);
            return null;
        });
        publish(project, "user.created", id, Map.of("userId", id, "email", address, "provider", provider));
        publish(project, "user.login", id, Map.of("userId", id, "email", address, "provider", provider));
        return new OidcLogin.OidcUser(id, true);
    }

    /** A session for the user whose passkey verified: as a password login after its check. */
    Session passkeySignIn(String project, String userId, String sourceIp) {
        UserStore.User user = db.withConnection(c -> UserStore.byId(c, project, userId))
                .orElseThrow(() -> new ApiException(401, "InvalidPasskey", "the passkey was not accepted"));
        if (user.disabled()) {
            throw new ApiException(403, "UserDisabled", "this account is disabled");
        }
        Map<String, Object> hookClaims = hook(project, "beforeSignIn", user.email(), sourceIp);
        signingKeyReady(project);
        Instant now = clock.instant();
        Session session = db.inTransaction(c -> {
            mergeClaims(c, user, hookClaims, now);
            return newSession(c, UserStore.byId(c, project, user.id()).orElseThrow(), UUID.randomUUID().toString());
        });
        publish(project, "user.login", user.id(), Map.of("userId", user.id(), "email", String.valueOf(user.email()),
                "method", "passkey"));
        return session;
    }

    /** A new session (one refresh family) for a user an OIDC login named. */
    Session oidcSession(String project, String userId) {
        signingKeyReady(project);
        return db.inTransaction(c -> {
            UserStore.User user = UserStore.byId(c, project, userId).filter(u -> !u.disabled())
                    .orElseThrow(EndUsers::unauthorized);
            return newSession(c, user, UUID.randomUUID().toString());
        });
    }

    /** Adds what a beforeSignIn hook answered to the user's claims (theirs win over the stored ones). */
    private static void mergeClaims(Connection c, UserStore.User user, Map<String, Object> hookClaims, Instant now)
            throws SQLException {
        if (!hookClaims.isEmpty()) {
            Map<String, Object> merged = new LinkedHashMap<>(user.claims());
            merged.putAll(hookClaims);
            UserStore.setClaims(c, user.project(), user.id(), merged, now);
        }
    }

    /**
     * Makes sure the project's signing key is loaded before a transaction that issues tokens:
     * loading it takes a connection of its own, which an SQLite Store (one connection) has not
     * got while the transaction holds it.
     */
    private void signingKeyReady(String project) {
        tokens.signingKey(project);
    }

    private Session newSession(Connection c, UserStore.User user, String familyId) throws SQLException {
        String refresh = "rt_" + secret();
        Instant now = clock.instant();
        UserStore.insertRefresh(c, sha256(refresh), user.project(), user.id(), familyId, now, now.plus(REFRESH_TTL));
        return new Session(tokens.issue(user), refresh, UserTokens.ACCESS_TTL.toSeconds(), user.id());
    }

    /** A failure decided inside a transaction that must still commit (the family's revocation). */
    private record Refused(ApiException error) {}

    private void refresh(Call call) throws Exception {
        String project = project(call);
        signingKeyReady(project);
        Body body = Body.read(call, Set.of("refreshToken"));
        String presented = body.required("refreshToken");
        Instant now = clock.instant();
        Object outcome = db.inTransaction(c -> {
            Optional<UserStore.Refresh> row = UserStore.refresh(c, project, sha256(presented));
            if (row.isEmpty() || row.get().revokedAt() != null || !row.get().expiresAt().isAfter(now)) {
                return new Refused(new ApiException(401, "InvalidRefreshToken", "the refresh token is not valid"));
            }
            if (row.get().usedAt() != null || !UserStore.markUsed(c, sha256(presented), now)) {
                // a used token came back: whoever holds it, the family is no longer trusted
                int revoked = UserStore.revokeFamily(c, project, row.get().familyId(), now);
                LOG.warn("project {}: a used refresh token of user {} was presented again; its family ({} tokens) is revoked",
                        project, row.get().userId(), revoked);
                return new Refused(new ApiException(401, "RefreshTokenReused",
                        "the refresh token was used already; every token of its session is revoked"));
            }
            Optional<UserStore.User> user = UserStore.byId(c, project, row.get().userId());
            if (user.isEmpty() || user.get().disabled()) {
                return new Refused(new ApiException(401, "InvalidRefreshToken", "the refresh token is not valid"));
            }
            return newSession(c, user.get(), row.get().familyId());
        });
        if (outcome instanceof Refused refused) {
            throw refused.error();
        }
        call.json(200, ((Session) outcome).view());
    }

    private void logout(Call call) throws Exception {
        String project = project(call);
        Body body = Body.read(call, Set.of("refreshToken", "everywhere"));
        String presented = body.text("refreshToken");
        boolean everywhere = body.flag("everywhere");
        Instant now = clock.instant();
        if (everywhere) {
            UserTokens.VerifiedUser who = authenticate(project, call.header("Authorization"))
                    .orElseThrow(EndUsers::unauthorized);
            db.inTransaction(c -> {
                UserStore.revokeAllOf(c, project, who.userId(), now);
                UserStore.bumpGeneration(c, project, who.userId(), now);
                return null;
            });
        } else if (presented != null) {
            db.inTransaction(c -> {
                Optional<UserStore.Refresh> row = UserStore.refresh(c, project, sha256(presented));
                if (row.isPresent()) {
                    UserStore.revokeFamily(c, project, row.get().familyId(), now);
                }
                return null;
            });
        } else {
            throw ApiException.badRequest("InvalidParameter", "give refreshToken, or everywhere: true with the access token");
        }
        call.noContent();
    }

    private void verify(Call call) throws Exception {
        String project = project(call);
        Body body = Body.read(call, Set.of("token"));
        String token = body.required("token");
        Instant now = clock.instant();
        UserStore.User user = db.inTransaction(c -> {
            UserStore.MailToken taken = UserStore.takeMailToken(c, project, sha256(token), "verify", now)
                    .orElseThrow(() -> ApiException.badRequest("InvalidToken", "the verification token is unknown, used or expired"));
            if (taken.newEmail() != null) {
                if (UserStore.byEmail(c, project, taken.newEmail()).isPresent()) {
                    throw ApiException.conflict("EmailTaken", "another account took this address meanwhile");
                }
                UserStore.changeEmail(c, project, taken.userId(), taken.newEmail(), now);
            } else {
                UserStore.markVerified(c, project, taken.userId(), now);
            }
            return UserStore.byId(c, project, taken.userId())
                    .orElseThrow(() -> ApiException.badRequest("InvalidToken", "the verification token's user is gone"));
        });
        publish(project, "user.verified", user.id(), Map.of("userId", user.id(), "email", user.email()));
        call.json(200, view(user));
    }

    private void requestReset(Call call) throws Exception {
        String project = project(call);
        abuse.perAddress("reset", address(call));
        Body body = Body.read(call, Set.of("email"));
        String email = email(body.required("email"));
        abuse.perAccount("reset", project, email);
        Optional<UserStore.User> user = db.withConnection(c -> UserStore.byEmail(c, project, email));
        if (user.isPresent() && !user.get().disabled()) {
            String token = secret();
            Instant now = clock.instant();
            db.inTransaction(c -> {
                UserStore.insertMailToken(c, sha256(token), project, user.get().id(), "reset", null, now, now.plus(RESET_TTL));
                mail.enqueue(c, project, "reset", email, Map.of("token", token));
                return null;
            });
            mail.wake();
        } else {
            PasswordHash.hash("equalise the time of a miss"); // the hit above costs about one hash too
        }
        call.json(202, Map.of("message", "if an account has this address, a reset mail is on its way to it"));
    }

    private void confirmReset(Call call) throws Exception {
        String project = project(call);
        abuse.perAddress("reset", address(call));
        Body body = Body.read(call, Set.of("token", "password"));
        String token = body.required("token");
        String hash = PasswordHash.hash(password(body.required("password"), "password"));
        Instant now = clock.instant();
        db.inTransaction(c -> {
            UserStore.MailToken taken = UserStore.takeMailToken(c, project, sha256(token), "reset", now)
                    .orElseThrow(() -> ApiException.badRequest("InvalidToken", "the reset token is unknown, used or expired"));
            UserStore.setPassword(c, project, taken.userId(), hash, now);
            UserStore.revokeAllOf(c, project, taken.userId(), now);
            UserStore.markVerified(c, project, taken.userId(), now); // the mail reached its owner
            return null;
        });
        call.noContent();
    }

    /** The user whose access token of the project the call carries (401 otherwise). */
    UserStore.User signedIn(Call call, String project) {
        return me(call, project);
    }

    private UserStore.User me(Call call, String project) {
        UserTokens.VerifiedUser who = authenticate(project, call.header("Authorization")).orElseThrow(EndUsers::unauthorized);
        return db.withConnection(c -> UserStore.byId(c, project, who.userId())).orElseThrow(EndUsers::unauthorized);
    }

    private void changePassword(Call call) throws Exception {
        String project = project(call);
        signingKeyReady(project);
        UserStore.User user = me(call, project);
        Body body = Body.read(call, Set.of("currentPassword", "newPassword"));
        requirePassword(user, body.required("currentPassword"));
        String hash = PasswordHash.hash(password(body.required("newPassword"), "newPassword"));
        Instant now = clock.instant();
        Session session = db.inTransaction(c -> {
            UserStore.setPassword(c, project, user.id(), hash, now);
            UserStore.revokeAllOf(c, project, user.id(), now);
            return newSession(c, UserStore.byId(c, project, user.id()).orElseThrow(), UUID.randomUUID().toString());
        });
        call.json(200, session.view()); // every other session ends; this one goes on with new tokens
    }

    private void changeEmail(Call call) throws Exception {
        String project = project(call);
        UserStore.User user = me(call, project);
        Body body = Body.read(call, Set.of("password", "newEmail"));
        requirePassword(user, body.required("password"));
        String newEmail = email(body.required("newEmail"));
        String token = secret();
        Instant now = clock.instant();
        db.inTransaction(c -> {
            if (UserStore.byEmail(c, project, newEmail).isEmpty()) {
                UserStore.insertMailToken(c, sha256(token), project, user.id(), "verify", newEmail, now, now.plus(VERIFY_TTL));
                mail.enqueue(c, project, "verification", newEmail, Map.of("token", token));
            }
            return null;
        });
        mail.wake();
        call.json(202, Map.of("message", "the address changes once the link mailed to it is followed"));
    }

    private void requirePassword(UserStore.User user, String password) {
        if (user.passwordHash() == null || password.length() > MAX_PASSWORD
                || !PasswordHash.verify(password, user.passwordHash())) {
            throw new ApiException(401, "InvalidCredentials", "wrong password");
        }
    }

    private void deleteMe(Call call) throws Exception {
        String project = project(call);
        UserStore.User user = me(call, project);
        Body body = Body.read(call, Set.of("password"));
        if (!user.anonymous()) {
            requirePassword(user, body.required("password"));
        }
        db.inTransaction(c -> UserStore.delete(c, project, user.id()));
        publish(project, "user.deleted", user.id(), Map.of("userId", user.id(), "by", "user"));
        call.noContent();
    }

    private void jwks(Call call) throws IOException {
        String project = project(call);
        call.response().getHeaders().put("Cache-Control", "public, max-age=300");
        Exchange.write(call.response(), 200, "application/json",
                tokens.jwks(project).toString(true).getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ admin

    private void list(Call call) throws IOException {
        String after = call.query("after");
        int limit = 100;
        if (call.query("limit") != null) {
            try {
                limit = Integer.parseInt(call.query("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > 1000) {
                throw ApiException.badRequest("InvalidParameter", "limit is a whole number from 1 to 1000");
            }
        }
        int page = limit;
        List<UserStore.User> users = db.withConnection(c -> UserStore.list(c, call.project(), after, page));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("users", users.stream().map(EndUsers::view).toList());
        answer.put("next", users.size() == page ? users.getLast().id() : null);
        call.json(200, answer);
    }

    private UserStore.User existing(Connection c, String project, String id) throws SQLException {
        return UserStore.byId(c, project, id).orElseThrow(() -> ApiException.notFound("no user '" + id + "' in project "
                + project));
    }

    private void setDisabled(Call call, boolean disabled) throws IOException {
        String project = call.project();
        String id = call.param("id");
        Instant now = clock.instant();
        UserStore.User user = db.inTransaction(c -> {
            existing(c, project, id);
            UserStore.setDisabled(c, project, id, disabled, now);
            if (disabled) {
                UserStore.revokeAllOf(c, project, id, now);
            }
            return existing(c, project, id);
        });
        call.json(200, view(user));
    }

    private void adminDelete(Call call) throws IOException {
        String project = call.project();
        String id = call.param("id");
        if (!db.inTransaction(c -> UserStore.delete(c, project, id))) {
            throw ApiException.notFound("no user '" + id + "' in project " + project);
        }
        publish(project, "user.deleted", id, Map.of("userId", id, "by", "admin"));
        call.noContent();
    }

    private void putClaims(Call call) throws IOException {
        String project = call.project();
        String id = call.param("id");
        byte[] bytes = Exchange.readBody(call.request(), BODY_LIMIT);
        JsonNode node = Json.parseObject(bytes);
        Map<String, Object> claims = claims(node.has("claims") && node.size() == 1 ? node.get("claims") : node);
        UserStore.User user = db.inTransaction(c -> {
            existing(c, project, id);
            UserStore.setClaims(c, project, id, claims, clock.instant());
            return existing(c, project, id);
        });
        call.json(200, view(user));
    }

    /** Custom claims: a JSON object of at most 4 KiB whose names are not the node's own. */
    static Map<String, Object> claims(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("InvalidParameter", "claims are a JSON object");
        }
        if (node.toString().length() > CLAIMS_LIMIT) {
            throw ApiException.badRequest("InvalidParameter", "claims take at most " + CLAIMS_LIMIT + " characters as JSON");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (var field : node.properties()) {
            if (UserTokens.RESERVED.contains(field.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "claim '" + field.getKey()
                        + "' is the node's own (reserved: " + String.join(", ", UserTokens.RESERVED.stream().sorted().toList()) + ")");
            }
            out.put(field.getKey(), Json.MAPPER.convertValue(field.getValue(), Object.class));
        }
        return out;
    }

    private static final Set<String> PASSKEY_SETTINGS = Set.of("passkeyRpId", "passkeyOrigin");
    private static final Set<String> HOOKS = Set.of("beforeCreate", "beforeSignIn");
    /** The origins whose pages may call the project's auth and db routes across origins (CORS). */
    static final String ALLOWED_ORIGINS = "allowedOrigins";
    private static final Set<String> SETTINGS = Set.of("beforeCreate", "beforeSignIn", ALLOWED_ORIGINS);
    /** An origin as browsers send it (scheme, host, optional port; no path), or {@code *} for any. */
    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?|\\*");
    private static final int MAX_ORIGINS = 50;

    private void putSettings(Call call) throws IOException {
        Set<String> fields = new java.util.HashSet<>(SETTINGS);
        fields.addAll(PASSKEY_SETTINGS);
        Body body = Body.read(call, fields);
        Map<String, Object> settings = new LinkedHashMap<>();
        // passkeys: the relying party's ID (a domain) and the origin of the app's pages, together
        String rpId = body.text("passkeyRpId");
        String origin = body.text("passkeyOrigin");
        if ((rpId == null) != (origin == null)) {
            throw ApiException.badRequest("InvalidParameter", "passkeyRpId and passkeyOrigin go together");
        }
        if (rpId != null) {
            if (!rpId.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
                throw ApiException.badRequest("InvalidParameter", "passkeyRpId is a domain, e.g. shop.example");
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(origin);
            } catch (java.net.URISyntaxException e) {
                throw ApiException.badRequest("InvalidParameter", "passkeyOrigin is an origin, e.g. https://shop.example");
            }
            boolean local = rpId.equals("localhost") && "http".equals(uri.getScheme());
            if (!("https".equals(uri.getScheme()) || local) || uri.getHost() == null || uri.getRawPath() != null
                    && !uri.getRawPath().isEmpty() || uri.getRawQuery() != null
                    || !(uri.getHost().equals(rpId) || uri.getHost().endsWith("." + rpId))) {
                throw ApiException.badRequest("InvalidParameter", "passkeyOrigin is the https origin of the app's pages "
                        + "on passkeyRpId or a subdomain of it, e.g. https://shop.example");
            }
            settings.put("passkeyRpId", rpId);
            settings.put("passkeyOrigin", origin);
        }
        JsonNode origins = body.node().get(ALLOWED_ORIGINS);
        if (origins != null && !origins.isNull()) {
            if (!origins.isArray() || origins.size() > MAX_ORIGINS) {
                throw ApiException.badRequest("InvalidParameter", ALLOWED_ORIGINS + " is a list of at most " + MAX_ORIGINS
                        + " origins, e.g. [\"https://shop.example\"]");
            }
            List<String> list = new ArrayList<>();
            for (JsonNode allowed : origins) {
                if (!allowed.isTextual() || !ORIGIN.matcher(allowed.asText()).matches()) {
                    throw ApiException.badRequest("InvalidParameter", ALLOWED_ORIGINS + " takes origins as browsers send "
                            + "them (scheme://host[:port], no path or trailing slash) or *; not " + allowed);
                }
                list.add(allowed.asText());
            }
            settings.put(ALLOWED_ORIGINS, list);
        }
        for (String hook : HOOKS) {
            String function = body.text(hook);
            if (function != null) {
                if (!function.matches("[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?")) {
                    throw ApiException.badRequest("InvalidParameter", hook + " names a function of the project (name or name:qualifier)");
                }
                settings.put(hook, function);
            }
        }
        db.inTransaction(c -> {
            UserStore.putSettings(c, call.project(), settings, clock.instant());
            return null;
        });
        call.json(200, settings);
    }

    static Map<String, Object> view(UserStore.User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("email", u.email());
        m.put("emailVerified", u.emailVerified());
        m.put("anonymous", u.anonymous());
        m.put("disabled", u.disabled());
        m.put("claims", u.claims());
        m.put("createdAt", u.createdAt().toString());
        m.put("updatedAt", u.updatedAt().toString());
        return m;
    }

    // ------------------------------------------------------------------ hooks and events

    /**
     * Runs the project's blocking hook, if it has one, within {@link #HOOK_DEADLINE}: the function
     * gets {@code {"hook", "project", "email", "sourceIp"}} and answers {@code {"allow": false,
     * "message"}} to refuse (403 with its message) or {@code {"claims": {...}}} to add claims. A
     * hook that fails or misses the deadline refuses (fail closed).
     */
    private Map<String, Object> hook(String project, String hook, String email, String sourceIp) {
        Object function = db.withConnection(c -> UserStore.settings(c, project)).get(hook);
        if (function == null) {
            return Map.of();
        }
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("hook", hook);
        event.put("project", project);
        event.put("email", email);
        event.put("sourceIp", sourceIp);
        byte[] payload = Json.write(event);
        Invocation result;
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Invocation> running = executor.submit(() -> invoker.invoke(dev.cumulus.invoke.Call
                    .to(project, function.toString()).trigger(dev.cumulus.invoke.Call.Trigger.AUTH_HOOK)
                    .payload(payload).build()));
            try {
                result = running.get(HOOK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                running.cancel(true);
                throw new ApiException(503, "HookTimedOut", "the project's " + hook + " hook did not answer within "
                        + HOOK_DEADLINE.toSeconds() + " s");
            } catch (ExecutionException e) {
                LOG.warn("project {}: the {} hook {} could not run", project, hook, function, e.getCause());
                throw new ApiException(503, "HookFailed", "the project's " + hook + " hook could not run");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(503, "HookFailed", "interrupted");
            }
        }
        if (result.failed()) {
            throw new ApiException(503, "HookFailed", "the project's " + hook + " hook failed");
        }
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(result.payload());
        } catch (IOException e) {
            throw new ApiException(503, "HookFailed", "the project's " + hook + " hook answered no JSON");
        }
        if (answer != null && answer.isObject() && answer.has("allow") && !answer.get("allow").asBoolean(true)) {
            String message = answer.path("message").asText("refused by the project's " + hook + " hook");
            throw new ApiException(403, "RejectedByHook", message.length() > 300 ? message.substring(0, 300) : message);
        }
        if (answer != null && answer.isObject() && answer.has("claims")) {
            try {
                return claims(answer.get("claims"));
            } catch (ApiException bad) {
                throw new ApiException(503, "HookFailed", "the project's " + hook + " hook answered bad claims: "
                        + bad.getMessage());
            }
        }
        return Map.of();
    }

    /** A CloudEvent on the project's topic of the event's name, when the project created that topic. */
    private void publish(String project, String type, String userId, Map<String, Object> data) {
        try {
            if (!events.exists(project, type)) {
                return;
            }
            events.publish(project, type, new CloudEvent(UUID.randomUUID().toString(), "cumulus:project:" + project
                    + ":auth", type, userId, clock.instant(), Json.write(data)));
        } catch (RuntimeException e) {
            LOG.warn("project {}: event {} of user {} was not published", project, type, userId, e);
        }
    }

    // ------------------------------------------------------------------ input

    static String email(String raw) {
        String email = raw.strip().toLowerCase(Locale.ROOT);
        if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
            throw ApiException.badRequest("InvalidEmail", "email must be an address like name@example.com of at most "
                    + MAX_EMAIL + " characters");
        }
        return email;
    }

    static String password(String password, String field) {
        int length = password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw ApiException.badRequest("WeakPassword", field + " must have " + MIN_PASSWORD + " to " + MAX_PASSWORD
                    + " characters");
        }
        if (password.isBlank()) {
            throw ApiException.badRequest("WeakPassword", field + " must not be only spaces");
        }
        if (CommonPasswords.contains(password)) {
            throw ApiException.badRequest("WeakPassword", field + " is one of the passwords most common in leaked "
                    + "password lists: choose another");
        }
        return password;
    }

    private static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "a valid 'Authorization: Bearer <access token>' of this project is required");
    }

    static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return B64URL.encodeToString(bytes);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** A JSON object body with only the named fields, each a string (or a flag). */
    record Body(JsonNode node) {
        static Body read(Call call, Set<String> allowed) throws IOException {
            byte[] bytes = Exchange.readBody(call.request(), BODY_LIMIT);
            JsonNode node = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(bytes);
            for (var field : node.properties()) {
                if (!allowed.contains(field.getKey())) {
                    throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'"
                            + (allowed.isEmpty() ? " (this request takes none)" : " (known: "
                            + String.join(", ", allowed.stream().sorted().toList()) + ")"));
                }
            }
            return new Body(node);
        }

        String text(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual()) {
                throw ApiException.badRequest("InvalidParameter", field + " must be a string");
            }
            if (value.asText().length() > 1024) {
                throw ApiException.badRequest("InvalidParameter", field + " takes at most 1024 characters");
            }
            return value.asText();
        }

        String required(String field) {
            String value = text(field);
            if (value == null || value.isEmpty()) {
                throw ApiException.badRequest("InvalidParameter", field + " is required");
            }
            return value;
        }

        boolean flag(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return false;
            }
            if (!value.isBoolean()) {
                throw ApiException.badRequest("InvalidParameter", field + " must be true or false");
            }
            return value.asBoolean();
        }
    }

    // ------------------------------------------------------------------ routes

    /**
     * The end users' own routes under {@code /v1/auth} (served as {@code /v1/projects/{project}/auth/...}:
     * public, each checks its own tokens) and the admin routes under {@code /v1/users} and
     * {@code /v1/user-settings} (IAM-authorised).
     */
    public List<Route> routes() {
        List<Route> routes = new ArrayList<>(List.of(
                open(Route.post("/v1/auth/signup"), "users:SignUp", this::signup),
                open(Route.post("/v1/auth/anonymous"), "users:SignInAnonymously", this::anonymous),
                open(Route.post("/v1/auth/login"), "users:Login", this::login),
                open(Route.post("/v1/auth/refresh"), "users:RefreshSession", this::refresh),
                open(Route.post("/v1/auth/logout"), "users:Logout", this::logout),
                open(Route.post("/v1/auth/verify"), "users:VerifyEmail", this::verify),
                open(Route.post("/v1/auth/reset"), "users:RequestPasswordReset", this::requestReset),
                open(Route.post("/v1/auth/reset/confirm"), "users:ResetPassword", this::confirmReset),
                open(Route.get("/v1/auth/me"), "users:GetMe", call -> call.json(200, view(me(call, project(call))))),
                open(Route.delete("/v1/auth/me"), "users:DeleteMe", this::deleteMe),
                open(Route.post("/v1/auth/me/password"), "users:ChangePassword", this::changePassword),
                open(Route.post("/v1/auth/me/email"), "users:ChangeEmail", this::changeEmail),
                open(Route.get("/v1/auth/jwks.json"), "users:GetJwks", this::jwks)));
        routes.addAll(List.of(
                Route.get("/v1/users").authorize("users:ListUsers", "users", "*").handle(this::list),
                Route.get("/v1/users/{id}").authorize("users:GetUser", "users", "{id}").handle(call ->
                        call.json(200, view(db.withConnection(c -> existing(c, call.project(), call.param("id")))))),
                Route.post("/v1/users/{id}/disable").authorize("users:DisableUser", "users", "{id}")
                        .handle(call -> setDisabled(call, true)),
                Route.post("/v1/users/{id}/enable").authorize("users:EnableUser", "users", "{id}")
                        .handle(call -> setDisabled(call, false)),
                Route.delete("/v1/users/{id}").authorize("users:DeleteUser", "users", "{id}").handle(this::adminDelete),
                Route.put("/v1/users/{id}/claims").authorize("users:PutClaims", "users", "{id}").handle(this::putClaims),
                Route.get("/v1/user-settings").authorize("users:GetSettings", "users", "settings")
                        .handle(call -> call.json(200, db.withConnection(c -> UserStore.settings(c, call.project())))),
                Route.put("/v1/user-settings").authorize("users:PutSettings", "users", "settings")
                        .handle(this::putSettings)));
        routes.addAll(oidc.routes());
        routes.addAll(passkeys.routes());
        return routes;
    }

    /** A public route of end users' own, which pages of the project's allowed origins may call. */
    Route open(Route.Builder builder, String action, Route.Handler handler) {
        return builder.authorize(action, "users", "auth").publicAccess().cors(this::allowedOrigins).handle(handler);
    }

    public static final class Builder {
        private Database db;
        private SecretBox box;
        private Mail mail;
        private TopicSink events;
        private Invoker invoker;
        private Predicate<String> projectExists;
        private AbuseLimits.Limits limits = AbuseLimits.Limits.defaults();
        private Clock clock = Clock.systemUTC();

        public Builder database(Database db) {
            this.db = db;
            return this;
        }

        /** Seals each project's signing key. */
        public Builder secretBox(SecretBox box) {
            this.box = box;
            return this;
        }

        public Builder mail(Mail mail) {
            this.mail = mail;
            return this;
        }

        /** Where the auth events go (the topics). */
        public Builder events(TopicSink events) {
            this.events = events;
            return this;
        }

        /** Runs the blocking hooks. */
        public Builder invoker(Invoker invoker) {
            this.invoker = invoker;
            return this;
        }

        public Builder projectExists(Predicate<String> projectExists) {
            this.projectExists = projectExists;
            return this;
        }

        /**
         * Rate limits and lockouts, for tests that need tighter or looser ones.
         *
         * @param perAddressPerMinute sign-up, login and reset requests per client address and minute, each
         * @param perAccountPerMinute login and reset requests per email address and minute
         * @param freeFailures wrong passwords in a row before an account locks
         * @param firstLockout the first lockout, doubled by each further failure, at most maxLockout
         */
        public Builder limits(int perAddressPerMinute, int perAccountPerMinute, int freeFailures, Duration firstLockout,
                Duration maxLockout) {
            this.limits = new AbuseLimits.Limits(perAddressPerMinute, perAccountPerMinute, freeFailures, firstLockout,
                    maxLockout);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public EndUsers build() {
            java.util.Objects.requireNonNull(db, "database");
            java.util.Objects.requireNonNull(box, "secretBox");
            java.util.Objects.requireNonNull(mail, "mail");
            java.util.Objects.requireNonNull(events, "events");
            java.util.Objects.requireNonNull(invoker, "invoker");
            java.util.Objects.requireNonNull(projectExists, "projectExists");
            return new EndUsers(this);
        }
    }
}
