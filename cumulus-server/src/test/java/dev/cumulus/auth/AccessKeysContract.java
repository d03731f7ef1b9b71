package dev.cumulus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AccessKeys repository; one subclass per Store backend runs it. */
abstract class AccessKeysContract {
    @TempDir
    Path dir;

    TestDatabase test;
    AccessKeys keys;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() throws Exception {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        keys = AccessKeys.open(test.db(), Files.createDirectories(dir.resolve("node")), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void createsListsAndDeletesKeys() {
        AccessKeys.Created first = keys.create("ci");
        AccessKeys.Created second = keys.create(null);

        assertThat(first.key().accessKeyId()).matches("AKCM[A-Z2-7]{16}");
        assertThat(first.secretAccessKey()).hasSize(40);
        assertThat(second.key().description()).isEmpty();
        assertThat(keys.list()).extracting(AccessKeys.Key::accessKeyId)
                .containsExactlyInAnyOrder(first.key().accessKeyId(), second.key().accessKeyId());
        assertThat(keys.secret(first.key().accessKeyId())).contains(first.secretAccessKey());

        assertThat(keys.delete(first.key().accessKeyId())).isTrue();
        assertThat(keys.delete(first.key().accessKeyId())).isFalse();
        assertThat(keys.secret(first.key().accessKeyId())).isEmpty();
        assertThat(keys.list()).extracting(AccessKeys.Key::accessKeyId).containsExactly(second.key().accessKeyId());
        assertThat(keys.secret("AKCMNOSUCHKEY0000000")).isEmpty();
    }

    @Test
    void theDatabaseNeverHoldsTheSecretAndTheKeyFileIsPrivate() throws Exception {
        AccessKeys.Created created = keys.create("x");

        List<String> stored = test.db().withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT secret_sealed FROM access_keys");
                    ResultSet rs = select.executeQuery()) {
                List<String> all = new ArrayList<>();
                while (rs.next()) {
                    all.add(rs.getString(1));
                }
                return all;
            }
        });
        assertThat(stored).hasSize(1);
        assertThat(stored.getFirst()).doesNotContain(created.secretAccessKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("node/access-keys.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aNodeWithAnotherKeyFileCannotOpenTheSecrets() throws Exception {
        AccessKeys.Created created = keys.create("x");
        AccessKeys sameFile = AccessKeys.open(test.db(), dir.resolve("node"), Clock.systemUTC());
        AccessKeys otherFile = AccessKeys.open(test.db(), Files.createDirectories(dir.resolve("other")), Clock.systemUTC());

        assertThat(sameFile.secret(created.key().accessKeyId())).contains(created.secretAccessKey());
        assertThat(otherFile.secret(created.key().accessKeyId())).isEmpty();
    }

    @Test
    void aSealedSecretMovedToAnotherIdDoesNotOpen() throws Exception {
        AccessKeys.Created a = keys.create("a");
        AccessKeys.Created b = keys.create("b");
        test.db().withConnection(c -> {
            try (PreparedStatement copy = c.prepareStatement("""
                    UPDATE access_keys SET secret_sealed = (SELECT secret_sealed FROM access_keys WHERE access_key_id = ?)
                    WHERE access_key_id = ?""")) {
                copy.setString(1, a.key().accessKeyId());
                copy.setString(2, b.key().accessKeyId());
                return copy.executeUpdate();
            }
        });
        AccessKeys fresh = AccessKeys.open(test.db(), dir.resolve("node"), Clock.systemUTC());

        assertThat(fresh.secret(b.key().accessKeyId())).isEmpty();
        assertThat(fresh.secret(a.key().accessKeyId())).contains(a.secretAccessKey());
    }
}
