package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHashTest {

    @Test
    void aHashVerifiesItsPasswordAndNoOther() {
        String hash = PasswordHash.hash("correct horse battery staple");

        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(PasswordHash.verify("correct horse battery staple", hash)).isTrue();
        assertThat(PasswordHash.verify("correct horse battery stapler", hash)).isFalse();
    }

    @Test
    void theUnmatchableHashHasTheCostOfARealOneAndMatchesNothing() {
        String real = PasswordHash.hash("a password");
        String unmatchable = PasswordHash.unmatchable();

        // the same parameters and lengths: checking against it runs the same Argon2id work
        assertThat(parameters(unmatchable)).isEqualTo(parameters(real));
        assertThat(unmatchable.length()).isEqualTo(real.length());
        assertThat(PasswordHash.verify("a password", unmatchable)).isFalse();
        assertThat(PasswordHash.verify("", unmatchable)).isFalse();
        assertThat(PasswordHash.unmatchable()).isNotEqualTo(unmatchable);
    }

    @Test
    void hashesThatAreNotOursOrTooCostlyAreRefusedWithoutWork() {
        assertThat(PasswordHash.verify("x", "plain")).isFalse();
        assertThat(PasswordHash.verify("x", "$argon2id$v=19$m=999999,t=2,p=1$c2FsdHNhbHQ$aGFzaA")).isFalse();
        assertThat(PasswordHash.verify("x", "$argon2id$v=19$m=19456,t=11,p=1$c2FsdHNhbHQ$aGFzaA")).isFalse();
    }

    private static String parameters(String phc) {
        return phc.substring(0, phc.lastIndexOf('$', phc.lastIndexOf('$') - 1));
    }
}
