package dev.cumulus.iam;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The short-lived credentials of one invocation (issue 11, docs/adr/0024-execution-tokens.md): a
 * JWT signed with ES256 under this node's key, naming the project, function, execution role and
 * request it was minted for, and expiring shortly after the invocation's deadline. A function
 * presents it as a bearer token to act with its role's rights and no more.
 *
 * <p>The signing key is a P-256 key in {@code <data dir>/execution-tokens.jwk} (mode 600), never
 * in the Store: whoever reads the database cannot mint tokens. Verification accepts exactly what
 * {@link #mint} produces: ES256 with this key's id and type, this node as issuer, Cumulus as
 * audience, every claim present, not expired. Anything else ({@code alg: none}, HS256 keyed with
 * the public key, another node's key, a changed byte) is refused, never explained to the caller.
 */
public final class ExecutionTokens {
    /** How long a token outlives its invocation's deadline: clock skew and the answer's way back. */
    public static final Duration MARGIN = Duration.ofSeconds(30);
    /** What a token's {@code typ} header says, so no other JWT this node might sign passes for one. */
    static final JOSEObjectType TYPE = new JOSEObjectType("cumulus-execution+jwt");
    static final String AUDIENCE = "cumulus";
    static final String KEY_FILE = "execution-tokens.jwk";
    /** Far longer than any token mint makes; a longer one is not parsed at all. */
    private static final int MAX_TOKEN_CHARS = 4096;

    private final ECKey key;
    private final JWSSigner signer;
    private final JWSVerifier verifier;
    private final String issuer;
    private final Clock clock;

    private ExecutionTokens(ECKey key, Clock clock) throws JOSEException {
        this.key = key;
        this.signer = new ECDSASigner(key);
        this.verifier = new ECDSAVerifier(key.toPublicJWK());
        this.issuer = "cumulus-node:" + key.getKeyID();
        this.clock = clock;
    }

    /** The node's tokens, with the key in {@code dataDir}, created on first start. */
    public static ExecutionTokens loadOrCreate(Path dataDir, Clock clock) throws IOException {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            ECKey key = ECKey.parse(Files.readString(file));
            if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve()) || key.getKeyID() == null) {
                throw new IOException(file + " does not hold a private P-256 key with a key id");
            }
            return new ExecutionTokens(key, clock);
        } catch (ParseException | JOSEException e) {
            throw new IOException(file + " does not hold a usable signing key", e);
        }
    }

    // Written to a private temp file and linked into place: a concurrent start never reads half a key.
    private static void create(Path file) throws IOException, JOSEException {
        ECKey fresh = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
        Path temp = PrivateFiles.createTempFile(file.toAbsolutePath().getParent(), "." + KEY_FILE);
        try {
            Files.writeString(temp, fresh.toJSONString() + "\n");
            Files.createLink(file, temp);
        } catch (FileAlreadyExistsException raced) {
            // another start created it first: use theirs
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The token for {@code claims}; its expiry is theirs, which must lie ahead. */
    public String mint(Claims claims) {
        Instant now = clock.instant();
        if (!claims.expiresAt().isAfter(now)) {
            throw new IllegalArgumentException("a token must expire after it is minted, not at " + claims.expiresAt());
        }
        JWTClaimsSet set = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(AUDIENCE)
                .subject(claims.project() + "/" + claims.role())
                .jwtID(claims.requestId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(claims.expiresAt()))
                .claim("project", claims.project())
                .claim("function", claims.function())
                .claim("role", claims.role())
                .claim("requestId", claims.requestId())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(TYPE).build(), set);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing with the node's P-256 key failed", e);
        }
        return jwt.serialize();
    }

    /** The claims of a token this node minted and that has not expired; empty for anything else. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader header = jwt.getHeader();
            // checked before the signature: the algorithm is never the token's choice
            if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || !key.getKeyID().equals(header.getKeyID())
                    || !TYPE.equals(header.getType()) || header.getCriticalParams() != null) {
                return Optional.empty();
            }
            if (!jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet set = jwt.getJWTClaimsSet();
            Date expires = set.getExpirationTime();
            if (!issuer.equals(set.getIssuer()) || !List.of(AUDIENCE).equals(set.getAudience()) || expires == null
                    || !clock.instant().isBefore(expires.toInstant())) {
                return Optional.empty();
            }
            String project = set.getStringClaim("project");
            String function = set.getStringClaim("function");
            String role = set.getStringClaim("role");
            String requestId = set.getStringClaim("requestId");
            if (project == null || function == null || role == null || requestId == null) {
                return Optional.empty();
            }
            return Optional.of(Claims.builder().project(project).function(function).role(role).requestId(requestId)
                    .expiresAt(expires.toInstant()).build());
        } catch (ParseException | JOSEException | RuntimeException refused) {
            return Optional.empty();
        }
    }

    /**
     * The role and project a token refused by {@link #verify} claims to be, read without trusting
     * it, for the audit line of the refusal; empty for anything not shaped like this node's tokens.
     */
    static Optional<Principal> claimed(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!TYPE.equals(jwt.getHeader().getType())) {
                return Optional.empty();
            }
            JWTClaimsSet set = jwt.getJWTClaimsSet();
            String project = set.getStringClaim("project");
            String role = set.getStringClaim("role");
            if (project == null || role == null || !IamNames.matches(project) || !IamNames.matches(role)) {
                return Optional.empty();
            }
            return Optional.of(new Principal(Principal.Kind.ROLE, role, project));
        } catch (ParseException | RuntimeException notOurs) {
            return Optional.empty();
        }
    }

    /**
     * Bearer tokens as principals, for the Guard: a valid token is its role in its project
     * ({@link Principal.Kind#ROLE}); anything else is no principal at all.
     */
    public Function<String, Optional<Principal>> principals() {
        return token -> verify(token).map(c -> new Principal(Principal.Kind.ROLE, c.role(), c.project()));
    }

    /** When a token for an invocation with {@code deadline} expires. */
    public static Instant expiryFor(Instant deadline) {
        return deadline.plus(MARGIN);
    }

    /**
     * What a token says: the function of {@code project} it was minted for, the execution role it
     * acts with, the request it belongs to, and when it stops being accepted.
     */
    public record Claims(String project, String function, String role, String requestId, Instant expiresAt) {
        public Claims {
            Objects.requireNonNull(project, "project");
            Objects.requireNonNull(function, "function");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        public static Builder builder() {
            return new Builder();
        }

        public static final class Builder {
            private String project;
            private String function;
            private String role;
            private String requestId;
            private Instant expiresAt;

            private Builder() {}

            public Builder project(String project) {
                this.project = project;
                return this;
            }

            public Builder function(String function) {
                this.function = function;
                return this;
            }

            public Builder role(String role) {
                this.role = role;
                return this;
            }

            public Builder requestId(String requestId) {
                this.requestId = requestId;
                return this;
            }

            public Builder expiresAt(Instant expiresAt) {
                this.expiresAt = expiresAt;
                return this;
            }

            public Claims build() {
                return new Claims(project, function, role, requestId, expiresAt);
            }
        }
    }
}
