package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.cumulus.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutionTokensTest {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @TempDir
    Path dir;

    MutableClock clock = new MutableClock(T0);
    ExecutionTokens tokens;
    ExecutionTokens.Claims claims;

    @BeforeEach
    void setUp() throws Exception {
        tokens = ExecutionTokens.loadOrCreate(Files.createDirectories(dir.resolve("node-a")), clock);
        claims = ExecutionTokens.Claims.builder().project("orders").function("orders-create").role("orders-writer")
                .requestId("req-1").expiresAt(ExecutionTokens.expiryFor(T0.plusSeconds(30))).build();
    }

    @Test
    void aMintedTokenVerifiesWithItsClaims() {
        String token = tokens.mint(claims);

        assertThat(tokens.verify(token)).contains(claims);
        assertThat(tokens.principals().apply(token))
                .contains(new Principal(Principal.Kind.ROLE, "orders-writer", "orders"));
    }

    @Test
    void theKeyIsPrivateToTheNodeAndSurvivesARestart() throws Exception {
        String token = tokens.mint(claims);
        Path file = dir.resolve("node-a").resolve(ExecutionTokens.KEY_FILE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ECKey.parse(Files.readString(file)).isPrivate()).isTrue();
        assertThat(ExecutionTokens.loadOrCreate(dir.resolve("node-a"), clock).verify(token)).contains(claims);
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = tokens.mint(claims);

        clock.set(claims.expiresAt().minusMillis(1));
        assertThat(tokens.verify(token)).isPresent();
        clock.set(claims.expiresAt());
        assertThat(tokens.verify(token)).isEmpty();
        assertThat(tokens.principals().apply(token)).isEmpty();
    }

    @Test
    void aTamperedTokenIsRefused() {
        String token = tokens.mint(claims);
        String[] parts = token.split("\\.");
        // another role in the same, validly encoded payload
        String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replace("orders-writer", "billing-admin");
        String otherRole = parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        // one flipped character of the signature
        char last = parts[2].charAt(0);
        String otherSignature = parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1);

        assertThat(tokens.verify(otherRole)).isEmpty();
        assertThat(tokens.verify(otherSignature)).isEmpty();
        assertThat(tokens.verify(parts[0] + "." + parts[1] + ".")).isEmpty();
        assertThat(tokens.verify("not a token")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void unsignedAndSymmetricallySignedTokensAreRefused() throws Exception {
        JWTClaimsSet set = SignedJWT.parse(tokens.mint(claims)).getJWTClaimsSet();
        String none = new PlainJWT(set).serialize();
        // the classic confusion: HS256 keyed with the verifier's public key
        ECKey key = ECKey.parse(Files.readString(dir.resolve("node-a").resolve(ExecutionTokens.KEY_FILE)));
        SignedJWT hs256 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID())
                .type(ExecutionTokens.TYPE).build(), set);
        hs256.sign(new MACSigner(key.toPublicKey().getEncoded()));

        assertThat(tokens.verify(none)).isEmpty();
        assertThat(tokens.verify(hs256.serialize())).isEmpty();
    }

    @Test
    void anotherNodesTokenIsRefused() throws Exception {
        ExecutionTokens other = ExecutionTokens.loadOrCreate(Files.createDirectories(dir.resolve("node-b")), clock);
        String token = other.mint(claims);

        assertThat(other.verify(token)).contains(claims);
        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void expiryIsTheDeadlinePlusAMarginInWholeSeconds() {
        Instant deadline = T0.plusMillis(12_345);
        String token = tokens.mint(ExecutionTokens.Claims.builder().project("p").function("f").role("r")
                .requestId("id").expiresAt(ExecutionTokens.expiryFor(deadline)).build());

        // a JWT's exp is in whole seconds: never later than asked
        assertThat(tokens.verify(token).orElseThrow().expiresAt())
                .isEqualTo(deadline.plus(ExecutionTokens.MARGIN).truncatedTo(ChronoUnit.SECONDS));
        clock.advance(Duration.ofSeconds(43));
        assertThat(tokens.verify(token)).isEmpty();
    }
}
