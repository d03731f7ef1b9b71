package dev.cumulus.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RouteMatcherTest {

    private static Route route(String method, String path) {
        return new Route(method + " " + path, "default", method, path, "fn", Route.PayloadFormat.V2, Route.Auth.NONE,
                null, null, Instant.EPOCH);
    }

    private static RouteMatcher table(String... routes) {
        return RouteMatcher.compile(Arrays.stream(routes).map(r -> {
            String[] parts = r.split(" ", 2);
            return route(parts[0], parts[1]);
        }).toList());
    }

    private static RouteMatcher.Match.Found found(RouteMatcher matcher, String method, String path) {
        RouteMatcher.Match match = matcher.match(method, path);
        assertThat(match).isInstanceOf(RouteMatcher.Match.Found.class);
        return (RouteMatcher.Match.Found) match;
    }

    @Test
    void matchesLiteralPathsExactly() {
        RouteMatcher m = table("GET /", "GET /users", "GET /users/list");
        assertThat(found(m, "GET", "/").route().path()).isEqualTo("/");
        assertThat(found(m, "GET", "/users").route().path()).isEqualTo("/users");
        assertThat(found(m, "GET", "/users/list").route().path()).isEqualTo("/users/list");
        assertThat(m.match("GET", "/users/list/more")).isInstanceOf(RouteMatcher.Match.NotFound.class);
        assertThat(m.match("GET", "/other")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void extractsPathParameters() {
        RouteMatcher m = table("GET /users/{id}/posts/{postId}");
        var hit = found(m, "GET", "/users/42/posts/7");
        assertThat(hit.pathParameters()).containsExactly(Map.entry("id", "42"), Map.entry("postId", "7"));
    }

    @Test
    void decodesParameterValues() {
        var hit = found(table("GET /files/{name}"), "GET", "/files/a%20b%2Fc+d");
        assertThat(hit.pathParameters()).containsEntry("name", "a b/c+d");
    }

    @Test
    void parametersDoNotMatchEmptySegments() {
        RouteMatcher m = table("GET /users/{id}");
        assertThat(m.match("GET", "/users/")).isInstanceOf(RouteMatcher.Match.NotFound.class);
        assertThat(m.match("GET", "/users")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void greedyTakesOneOrMoreSegments() {
        RouteMatcher m = table("ANY /static/{proxy+}");
        assertThat(found(m, "GET", "/static/a").pathParameters()).containsEntry("proxy", "a");
        assertThat(found(m, "GET", "/static/a/b/c.css").pathParameters()).containsEntry("proxy", "a/b/c.css");
        assertThat(m.match("GET", "/static")).isInstanceOf(RouteMatcher.Match.NotFound.class);
        assertThat(m.match("GET", "/static/")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void rootGreedyCatchesEverythingButTheRoot() {
        RouteMatcher m = table("ANY /{proxy+}");
        assertThat(found(m, "DELETE", "/x/y").pathParameters()).containsEntry("proxy", "x/y");
        assertThat(m.match("GET", "/")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void literalBeatsParameterBeatsGreedy() {
        RouteMatcher m = table("GET /users/me", "GET /users/{id}", "GET /users/{rest+}", "GET /{all+}");
        assertThat(found(m, "GET", "/users/me").route().path()).isEqualTo("/users/me");
        assertThat(found(m, "GET", "/users/42").route().path()).isEqualTo("/users/{id}");
        assertThat(found(m, "GET", "/users/42/x").route().path()).isEqualTo("/users/{rest+}");
        assertThat(found(m, "GET", "/other/path").route().path()).isEqualTo("/{all+}");
    }

    @Test
    void precedenceIsDecidedSegmentBySegmentFromTheLeft() {
        // the literal first segment wins even though the other route has a literal later
        RouteMatcher m = table("GET /a/{x}/c", "GET /{y}/b/c");
        assertThat(found(m, "GET", "/a/b/c").route().path()).isEqualTo("/a/{x}/c");
        assertThat(found(m, "GET", "/z/b/c").route().path()).isEqualTo("/{y}/b/c");
    }

    @Test
    void backtracksWhenTheMoreSpecificBranchDeadEnds() {
        RouteMatcher m = table("GET /users/me/settings", "GET /users/{id}/posts");
        assertThat(found(m, "GET", "/users/me/posts").pathParameters()).containsEntry("id", "me");
    }

    @Test
    void methodPicksAmongRoutesOfOnePath() {
        RouteMatcher m = table("GET /items", "POST /items", "ANY /other");
        assertThat(found(m, "GET", "/items").route().method()).isEqualTo("GET");
        assertThat(found(m, "POST", "/items").route().method()).isEqualTo("POST");
        assertThat(found(m, "PATCH", "/other").route().method()).isEqualTo("ANY");
    }

    @Test
    void exactMethodBeatsAnyOnTheSamePath() {
        RouteMatcher m = table("ANY /items", "GET /items");
        assertThat(found(m, "GET", "/items").route().method()).isEqualTo("GET");
        assertThat(found(m, "PUT", "/items").route().method()).isEqualTo("ANY");
    }

    @Test
    void aLessSpecificPathServesAMethodTheMoreSpecificLacks() {
        RouteMatcher m = table("GET /users/me", "DELETE /users/{id}");
        assertThat(found(m, "DELETE", "/users/me").route().path()).isEqualTo("/users/{id}");
    }

    @Test
    void knownPathWithWrongMethodIsMethodNotAllowedWithTheAllowedMethods() {
        RouteMatcher m = table("GET /items", "POST /items", "GET /items/{id}");
        RouteMatcher.Match match = m.match("DELETE", "/items");
        assertThat(match).isEqualTo(new RouteMatcher.Match.MethodNotAllowed(new java.util.TreeSet<>(List.of("GET", "POST"))));
        assertThat(m.match("DELETE", "/nothing")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void emptyTableFindsNothing() {
        assertThat(RouteMatcher.compile(List.of()).match("GET", "/")).isInstanceOf(RouteMatcher.Match.NotFound.class);
    }

    @Test
    void pathKeysIgnoreParameterNames() {
        assertThat(PathPattern.parse("/users/{id}").key()).isEqualTo(PathPattern.parse("/users/{userId}").key());
        assertThat(PathPattern.parse("/f/{p+}").key()).isNotEqualTo(PathPattern.parse("/f/{p}").key());
        assertThat(PathPattern.parse("/").key()).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "users", "/users/", "//x", "/a/{proxy+}/b", "/{id}/{id}", "/{}", "/{a-b}", "/a b",
            "/x{id}", "/{id", "/caf\u00e9"})
    void refusesInvalidPatterns(String path) {
        assertThatThrownBy(() -> PathPattern.parse(path))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("InvalidPath");
                });
    }

    @Test
    void tokenBucketAllowsTheBurstThenTheRate() {
        long[] now = {0};
        TokenBucket bucket = new TokenBucket(2, 3, () -> now[0]);
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isEqualTo(500_000_000L);
        now[0] += 500_000_000L;
        assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isPositive();
        now[0] += 10_000_000_000L;
        for (int i = 0; i < 3; i++) assertThat(bucket.tryTake()).isZero();
        assertThat(bucket.tryTake()).isPositive();
    }
}
