package dev.cumulus.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The route store; one subclass per Store backend. */
abstract class RouteStoreContract {
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @TempDir
    Path dir;

    TestDatabase test;
    RouteStore store;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        store = new JdbcRouteStore(test.db());
    }

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void keepsEverySettingOfARoute() {
        Route full = new Route("r-1", "default", "POST", "/users/{id}/files/{key+}", "fn:2", Route.PayloadFormat.V1,
                Route.Auth.TOKEN, new Route.Cors(List.of("https://a.example"), List.of("POST", "GET"), List.of("content-type"),
                        List.of("x-id"), 600, true), new Route.Throttle(2.5, 7), T0);
        Route bare = new Route("r-2", "default", "ANY", "/", "fn", Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0);
        store.create(full);
        store.create(bare);
        assertThat(store.get("default", "r-1")).contains(full);
        assertThat(store.get("default", "r-2")).contains(bare);
        assertThat(store.list("default")).containsExactly(bare, full);
        assertThat(store.list("other")).isEmpty();
        assertThat(store.get("other", "r-1")).isEmpty();
    }

    @Test
    void oneRoutePerMethodAndPathShape() {
        store.create(new Route("r-1", "default", "GET", "/users/{id}", "fn", Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0));
        assertThatThrownBy(() -> store.create(new Route("r-2", "default", "GET", "/users/{userId}", "fn",
                Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("r-1");
                });
        store.create(new Route("r-3", "default", "POST", "/users/{userId}", "fn", Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0));
        store.create(new Route("r-4", "other", "GET", "/users/{id}", "fn", Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0));
        assertThat(store.list("default")).extracting(Route::id).containsExactlyInAnyOrder("r-1", "r-3");
    }

    @Test
    void deletes() {
        store.create(new Route("r-1", "default", "GET", "/a", "fn", Route.PayloadFormat.V2, Route.Auth.NONE, null, null, T0));
        assertThat(store.delete("other", "r-1")).isFalse();
        assertThat(store.delete("default", "r-1")).isTrue();
        assertThat(store.delete("default", "r-1")).isFalse();
        assertThat(store.list("default")).isEmpty();
    }
}
