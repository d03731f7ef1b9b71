package dev.cumulus.lambdaapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.Zips;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.web.Json;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Lambda API's tables (migration V8) on SQLite and PostgreSQL, with the registry they hang off. */
class LambdaStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabase.Backend.class)
    void keepsSettingsTagsPoliciesUrlsAndProvisioningPerProjectAndDropsThemWithTheFunction(TestDatabase.Backend backend)
            throws java.io.IOException {
        try (TestDatabase test = TestDatabase.create(backend, dir.resolve("data"))) {
            FunctionRegistry registry = FunctionRegistry.open(test.db(), dir.resolve("code"),
                    dev.cumulus.registry.MountGuard.protecting(java.util.List.of(dir)));
            String sha = registry.storeCode(new ByteArrayInputStream(Zips.withClasses("com/example/Hello.class")), 1_000_000).sha256();
            // a Lambda row belongs to the function of its own project: both projects have an f
            registry.project("p1").put(FunctionConfig.defaults("f", "com.example.Hello"), sha);
            registry.project("p2").put(FunctionConfig.defaults("f", "com.example.Hello"), sha);
            LambdaStore store = new LambdaStore(test.db(), "p1", Clock.systemUTC());
            LambdaStore other = new LambdaStore(test.db(), "p2", Clock.systemUTC());

            ObjectNode settings = Json.MAPPER.createObjectNode().put("Description", "d");
            String first = store.putSettings("f", "$LATEST", settings);
            assertThat(store.settings("f", "$LATEST")).contains(new LambdaStore.Settings(settings, first));
            String second = store.putSettings("f", "$LATEST", settings.deepCopy().put("Role", "r"));
            assertThat(second).isNotEqualTo(first);
            assertThat(store.settings("f", "$LATEST").orElseThrow().fields().get("Role").asText()).isEqualTo("r");
            assertThat(other.settings("f", "$LATEST")).isEmpty();

            store.tag("f", Map.of("a", "1", "b", "2"));
            store.tag("f", Map.of("a", "3"));
            store.untag("f", List.of("b", "missing"));
            assertThat(store.tags("f")).isEqualTo(Map.of("a", "3"));
            assertThat(other.tags("f")).isEmpty();

            ObjectNode statement = Json.MAPPER.createObjectNode().put("Sid", "s1");
            assertThat(store.addStatement("f", LambdaStore.UNQUALIFIED, "s1", statement)).isTrue();
            assertThat(store.addStatement("f", LambdaStore.UNQUALIFIED, "s1", statement)).isFalse();
            assertThat(store.addStatement("f", "live", "s1", statement)).isTrue();
            assertThat(store.statements("f", LambdaStore.UNQUALIFIED)).containsExactly(statement);
            assertThat(store.removeStatement("f", "live", "s1")).isTrue();
            assertThat(store.removeStatement("f", "live", "s1")).isFalse();

            ObjectNode url = Json.MAPPER.createObjectNode().put("AuthType", "NONE");
            assertThat(store.createUrlConfig("f", LambdaStore.UNQUALIFIED, url)).isTrue();
            assertThat(store.createUrlConfig("f", LambdaStore.UNQUALIFIED, url)).isFalse();
            assertThat(store.updateUrlConfig("f", LambdaStore.UNQUALIFIED, url.deepCopy().put("AuthType", "AWS_IAM"))).isTrue();
            assertThat(store.urlConfig("f", LambdaStore.UNQUALIFIED).orElseThrow().config().get("AuthType").asText())
                    .isEqualTo("AWS_IAM");

            store.putProvisioned("f", "live", 2);
            store.putProvisioned("f", "live", 3);
            store.putProvisioned("f", "1", 1);
            assertThat(store.provisioned("f")).extractingFromEntries(e -> e.getKey() + "=" + e.getValue().requested())
                    .containsExactly("1=1", "live=3");
            assertThat(store.deleteProvisioned("f", "1")).isTrue();

            // deleted through any API, the function takes its Lambda rows along (foreign keys cascade)
            other.tag("f", Map.of("kept", "yes"));
            assertThat(registry.project("p1").delete("f")).isTrue();
            assertThat(store.settings("f", "$LATEST")).isEmpty();
            assertThat(store.tags("f")).isEmpty();
            assertThat(store.statements("f", LambdaStore.UNQUALIFIED)).isEmpty();
            assertThat(store.urlConfig("f", LambdaStore.UNQUALIFIED)).isEmpty();
            assertThat(store.provisioned("f")).isEmpty();
            assertThat(other.tags("f")).isEqualTo(Map.of("kept", "yes"));
        }
    }
}
