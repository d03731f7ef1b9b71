package dev.cumulus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedBodyTest {
    @TempDir
    Path tmp;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aSmallBodyStaysOnTheHeapWithItsHash() throws Exception {
        byte[] body = random(SignedBody.IN_MEMORY);
        try (SignedBody signed = SignedBody.read(new ByteArrayInputStream(body), tmp)) {
            assertThat(signed.spilled()).isFalse();
            assertThat(signed.sha256Hex()).isEqualTo(sha256(body));
            assertThat(signed.bytes()).isEqualTo(body);
        }
        assertThat(tmp.toFile().list()).isEmpty();
    }

    @Test
    void aLargeBodyWaitsInAPrivateFileThatGoesAway() throws Exception {
        byte[] body = random(3 * SignedBody.IN_MEMORY + 17);
        Path file;
        try (SignedBody signed = SignedBody.read(new ByteArrayInputStream(body), tmp)) {
            assertThat(signed.spilled()).isTrue();
            assertThat(signed.sha256Hex()).isEqualTo(sha256(body));
            file = Files.list(tmp).findFirst().orElseThrow();
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(signed.bytes()).isEqualTo(body);
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void anEmptyBodyHashesAsSigV4Expects() throws Exception {
        try (SignedBody signed = SignedBody.read(InputStream.nullInputStream(), tmp)) {
            assertThat(signed.sha256Hex()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
            assertThat(signed.bytes()).isEmpty();
        }
    }

    @Test
    void aBodyThatBreaksOffLeavesNoFile() {
        InputStream breaking = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ > 2 * SignedBody.IN_MEMORY) {
                    throw new IOException("client went away");
                }
                return 7;
            }
        };
        try (SignedBody ignored = SignedBody.read(breaking, tmp)) {
            throw new AssertionError("a broken body must not be read whole");
        } catch (IOException expected) {
            assertThat(expected).hasMessage("client went away");
        }
        assertThat(tmp.toFile().list()).isEmpty();
    }
}
