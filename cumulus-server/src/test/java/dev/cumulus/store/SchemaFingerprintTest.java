package dev.cumulus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class SchemaFingerprintTest {
    private static final Map<String, String> PLACEHOLDERS = Map.of("json_type", "TEXT");

    @TempDir
    Path dir;

    @Test
    void anyAddedEditedOrRenamedMigrationOrAnotherEngineChangesTheFingerprint() throws IOException {
        Path root = Files.createDirectories(dir.resolve("classes/db/migration"));
        Files.writeString(root.resolve("V1__a.sql"), "CREATE TABLE a (id INTEGER);");
        String original = fingerprint(dir.resolve("classes"), false);
        assertThat(fingerprint(dir.resolve("classes"), false)).as("stable").isEqualTo(original);
        assertThat(fingerprint(dir.resolve("classes"), true)).as("other engine").isNotEqualTo(original);

        Files.writeString(root.resolve("V1__a.sql"), "CREATE TABLE a (id BIGINT);");
        String edited = fingerprint(dir.resolve("classes"), false);
        assertThat(edited).isNotEqualTo(original);

        Files.writeString(root.resolve("V2__b.sql"), "CREATE TABLE b (id INTEGER);");
        String added = fingerprint(dir.resolve("classes"), false);
        assertThat(added).isNotIn(original, edited);

        Files.move(root.resolve("V2__b.sql"), root.resolve("V3__b.sql"));
        assertThat(fingerprint(dir.resolve("classes"), false)).isNotIn(original, edited, added);
    }

    @Test
    void aJarAndADirectoryWithTheSameMigrationsHaveTheSameFingerprint() throws IOException {
        Path root = Files.createDirectories(dir.resolve("classes/db/migration/sub"));
        Files.writeString(root.getParent().resolve("V1__a.sql"), "CREATE TABLE a (id INTEGER);");
        Files.writeString(root.resolve("V2__b.sql"), "CREATE TABLE b (id INTEGER);");
        Path jar = dir.resolve("migrations.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : new String[] {"db/", "db/migration/", "db/migration/sub/", "db/migration/sub/V2__b.sql",
                    "db/migration/V1__a.sql"}) {
                out.putNextEntry(new JarEntry(name)); // directories too, as Maven writes them
                if (!name.endsWith("/")) {
                    out.write(Files.readAllBytes(dir.resolve("classes").resolve(name)));
                }
                out.closeEntry();
            }
        }
        assertThat(fingerprint(jar, false)).isEqualTo(fingerprint(dir.resolve("classes"), false));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void aRestartWithTheSameMigrationsSkipsFlywayAndAnyNewHistoryMakesItRunAgain(TestDatabase.Backend backend)
            throws IOException {
        try (TestDatabase test = TestDatabase.create(backend, dir)) {
            Database db = test.db();
            String shipped = shipped(db);
            assertThat(SchemaFingerprint.matches(db.dataSource(), shipped)).as("recorded after the migrate").isTrue();
            assertThat(SchemaFingerprint.matches(db.dataSource(), "0".repeat(64))).isFalse();

            // a checksum Flyway's validation would refuse: only a restart that skips Flyway gets past it
            db.withConnection(c -> c.createStatement().executeUpdate(
                    "UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'"));
            Database skipped = test.reopen();
            assertThat(SchemaFingerprint.matches(skipped.dataSource(), shipped)).isTrue();

            // another node (another version) wrote to the history since: Flyway runs, and validates
            skipped.withConnection(c -> c.createStatement().executeUpdate(
                    "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                            + " installed_by, execution_time, success) SELECT MAX(installed_rank) + 1, NULL, 'noted',"
                            + " 'SQL', 'R__noted.sql', 1, 'test', 0, " + (skipped.postgres() ? "true" : "1")
                            + " FROM flyway_schema_history"));
            assertThat(SchemaFingerprint.matches(skipped.dataSource(), shipped)).isFalse();
            assertThatThrownBy(test::reopen).isInstanceOf(FlywayException.class).hasMessageContaining("checksum");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void aDatabaseWithoutARecordedFingerprintIsMigratedByFlywayAndThenRecorded(TestDatabase.Backend backend)
            throws IOException {
        try (TestDatabase test = TestDatabase.create(backend, dir)) {
            Database db = test.db();
            db.withConnection(c -> c.createStatement().executeUpdate("DROP TABLE " + SchemaFingerprint.TABLE));
            // an older node's database: no fingerprint yet; Flyway validates and finds nothing to do
            Database reopened = test.reopen();
            assertThat(SchemaFingerprint.matches(reopened.dataSource(), shipped(reopened))).isTrue();
        }
    }

    /** The fingerprint of the migrations this build ships, for {@code db}'s engine. */
    private static String shipped(Database db) throws IOException {
        return SchemaFingerprint.of(Database.class.getClassLoader(), SchemaFingerprint.LOCATION, db.postgres(),
                Database.placeholders(db.postgres())).orElseThrow();
    }

    private String fingerprint(Path classpathRoot, boolean postgres) throws IOException {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classpathRoot.toUri().toURL()}, null)) {
            return SchemaFingerprint.of(loader, SchemaFingerprint.LOCATION, postgres, PLACEHOLDERS).orElseThrow();
        }
    }
}
