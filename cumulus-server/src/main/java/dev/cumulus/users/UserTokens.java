package dev.cumulus.users;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.store.Database;
import java.security.GeneralSecurityException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * End users' access tokens: ES256 JWTs signed with the project's own P-256 key (created on first
 * use, its private JWK sealed under the node's master key), verifiable offline against the
 * project's JWKS. What a token says: {@code iss} {@code cumulus:project:<project>}, {@code aud}
 * the project, {@code sub} the user id, {@code email}, {@code email_verified}, {@code anonymous},
 * the user's custom claims at the top level, {@code iat}, {@code exp} ({@link #ACCESS_TTL}),
 * {@code jti} and header {@code typ: at+jwt}. Verification accepts ES256 only (never {@code none},
 * never HMAC with the public key), the project's issuer and audience, and
 * {@link #CLOCK_SKEW} of skew on {@code exp}, {@code nbf} and {@code iat}.
 */
public final class UserTokens {
    public static final Duration ACCESS_TTL = Duration.ofMinutes(15);
    /** How far a verifier's clock may be from the signer's: both on expiry and on "issued in the future". */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(60);
    static final JOSEObjectType ACCESS_TYPE = new JOSEObjectType("at+jwt");
    /** Claim names the node writes; custom claims may not use them. */
    static final Set<String> RESERVED = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "email",
            "email_verified", "anonymous", "project", "scope", "scp", "azp", "auth_time", "typ", "tgen");

    /** A verified access token: who the end user is and what the token says about them. */
    public record VerifiedUser(String project, String userId, String email, long tokenGeneration,
            Map<String, Object> claims) {}

    private final Database db;
    private final SecretBox box;
    private final Clock clock;
    private final Map<String, ECKey> signingKeys = new ConcurrentHashMap<>();

    UserTokens(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.box = box;
        this.clock = clock;
    }

    static String issuer(String project) {
        return "cumulus:project:" + project;
    }

    /** The project's signing key, made and stored on first use. */
    ECKey signingKey(String project) {
        return signingKeys.computeIfAbsent(project, p -> {
            Optional<ECKey> stored = load(p);
            if (stored.isPresent()) {
                return stored.get();
            }
            try {
                ECKey fresh = new ECKeyGenerator(Curve.P_256).keyID("k-" + UUID.randomUUID().toString().substring(0, 8))
                        .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
                db.inTransaction(c -> {
                    try (PreparedStatement insert = c.prepareStatement("""
                            INSERT INTO user_signing_keys (project, key_id, sealed_jwk, created_at, retired_at)
                            VALUES (?, ?, ?, ?, NULL)""")) {
                        insert.setString(1, p);
                        insert.setString(2, fresh.getKeyID());
                        insert.setString(3, box.seal(fresh.toJSONString(), "user-signing-key:" + p + ":" + fresh.getKeyID()));
                        insert.setLong(4, clock.millis());
                        insert.executeUpdate();
                    }
                    return null;
                });
                return load(p).orElseThrow(); // the newest: another node may have raced us
            } catch (JOSEException e) {
                throw new IllegalStateException("P-256 keys are in every JDK", e);
            }
        });
    }

    private Optional<ECKey> load(String project) {
        List<ECKey> keys = activeKeys(project);
        return keys.isEmpty() ? Optional.empty() : Optional.of(keys.getFirst());
    }

    /** Every key of the project that is not retired, newest first. */
    private List<ECKey> activeKeys(String project) {
        return db.withConnection(c -> {
            List<ECKey> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT key_id, sealed_jwk FROM user_signing_keys WHERE project = ? AND retired_at IS NULL
                    ORDER BY created_at DESC, key_id""")) {
                q.setString(1, project);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        try {
                            out.add(ECKey.parse(box.open(rs.getString(2), "user-signing-key:" + project + ":"
                                    + rs.getString(1))));
                        } catch (GeneralSecurityException | ParseException e) {
                            throw new IllegalStateException("project " + project + "'s signing key "
                                    + rs.getString(1) + " does not open with this node's key", e);
                        }
                    }
                }
            }
            return out;
        });
    }

    /** The project's public keys, as {@code GET .../auth/jwks.json} serves them. */
    public JWKSet jwks(String project) {
        signingKey(project);
        return new JWKSet(activeKeys(project).stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList());
    }

    /** Signs an access token for the user. */
    String issue(UserStore.User user) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        user.claims().forEach(claims::claim);
        claims.issuer(issuer(user.project()))
                .audience(user.project())
                .subject(user.id())
                .claim("project", user.project())
                .claim("email", user.email())
                .claim("email_verified", user.emailVerified())
                .claim("anonymous", user.email() == null)
                .claim("tgen", user.tokenGeneration())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ACCESS_TTL)))
                .jwtID(UUID.randomUUID().toString());
        ECKey key = signingKey(user.project());
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(ACCESS_TYPE).build(), claims.build());
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with the project's P-256 key failed", e);
        }
    }

    /**
     * Checks signature (ES256 with one of the project's keys), type, issuer, audience and times;
     * empty for anything else. It does not look at the user (disabled, deleted, tokens revoked):
     * {@link EndUsers#authenticate} does.
     */
    Optional<VerifiedUser> verify(String project, String token) {
        if (token == null || token.length() > 16 * 1024) {
            return Optional.empty();
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(ACCESS_TYPE));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                new ImmutableJWKSet<>(new JWKSet(activeKeys(project).stream()
                        .map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList()))));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(project,
                new JWTClaimsSet.Builder().issuer(issuer(project)).build(),
                new HashSet<>(List.of("sub", "iat", "exp", "jti"))) {
            @Override
            public java.util.Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        try {
            JWTClaimsSet set = processor.process(token, null);
            if (set.getIssueTime().toInstant().isAfter(clock.instant().plus(CLOCK_SKEW))) {
                return Optional.empty(); // issued in the future
            }
            return Optional.of(new VerifiedUser(project, set.getSubject(), set.getStringClaim("email"),
                    set.getLongClaim("tgen") == null ? -1 : set.getLongClaim("tgen"), set.getClaims()));
        } catch (ParseException | com.nimbusds.jose.proc.BadJOSEException | JOSEException e) {
            return Optional.empty();
        }
    }
}
