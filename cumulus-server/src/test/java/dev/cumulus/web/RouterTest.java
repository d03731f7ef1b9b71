package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Route.Handler NOTHING = call -> {};

    private static Route route(String method, String template) {
        return Route.of(method, template).authorize("test:Do", "test", "*").handle(NOTHING);
    }

    private final Route list = route("GET", "/v1/functions");
    private final Route get = route("GET", "/v1/functions/{name}");
    private final Route put = route("PUT", "/v1/functions/{name}");
    private final Route versions = route("POST", "/v1/functions/{name}/versions");
    private final Route alias = route("GET", "/v1/functions/{name}/aliases/{alias}");
    private final Route url = route(Route.ANY, "/fn/{name}/{path+}");
    private final Route single = Route.get("/p/{x}").authorize("test:Get", "test", "{x}").handle(NOTHING);
    private final Route listed = Route.get("/p/{x}").authorize("test:List", "test", "*").whenQuery("List").handle(NOTHING);
    private final Router router = Router.of(List.of(list, get, put, versions, alias, url, single, listed))
            .projectPrefix("/v1");

    private Router.Match match(String method, String path) {
        return router.match(method, path, q -> false);
    }

    private Router.Match.Found found(String method, String path) {
        Router.Match match = match(method, path);
        assertThat(match).as("%s %s", method, path).isInstanceOf(Router.Match.Found.class);
        return (Router.Match.Found) match;
    }

    @Test
    void matchesLiteralsAndParametersByName() {
        assertThat(found("GET", "/v1/functions").route()).isSameAs(list);
        Router.Match.Found one = found("GET", "/v1/functions/hello");
        assertThat(one.route()).isSameAs(get);
        assertThat(one.params()).isEqualTo(Map.of("name", "hello"));
        Router.Match.Found two = found("GET", "/v1/functions/hello/aliases/live");
        assertThat(two.route()).isSameAs(alias);
        assertThat(two.params()).isEqualTo(Map.of("name", "hello", "alias", "live"));
        assertThat(found("POST", "/v1/functions/hello/versions").route()).isSameAs(versions);
    }

    @Test
    void aTrailingSlashNamesTheSameResource() {
        assertThat(found("GET", "/v1/functions/").route()).isSameAs(list);
        assertThat(found("GET", "/v1/functions/hello/").params()).containsEntry("name", "hello");
    }

    @Test
    void decodesEachSegmentOnceAndKeepsPlusAndEncodedSlashesInTheirSegment() {
        assertThat(found("GET", "/v1/functions/arn%3Aaws%3Alambda").params()).containsEntry("name", "arn:aws:lambda");
        assertThat(found("GET", "/v1/functions/a+b").params()).containsEntry("name", "a+b");
        assertThat(found("GET", "/v1/functions/a%2Fb").params()).containsEntry("name", "a/b");
        assertThat(found("GET", "/v1/functions/caf%C3%A9").params()).containsEntry("name", "café");
        // a literal segment matches its decoded form
        assertThat(found("GET", "/v1/%66unctions").route()).isSameAs(list);
    }

    @Test
    void badPercentEncodingIsA400() {
        assertThatThrownBy(() -> match("GET", "/v1/functions/a%2"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("InvalidPath");
                });
        assertThatThrownBy(() -> match("GET", "/v1/functions/a%zz")).isInstanceOf(ApiException.class);
    }

    @Test
    void anUnknownPathIsNotFound() {
        assertThat(match("GET", "/v1/nothing")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(match("GET", "/v1/functions/a/b/c/d/e")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(match("GET", "/v1/functions//versions")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(match("GET", "/")).isInstanceOf(Router.Match.NotFound.class);
    }

    @Test
    void aKnownPathWithAnotherMethodListsTheMethodsItTakes() {
        Router.Match match = match("DELETE", "/v1/functions/hello");
        assertThat(match).isInstanceOf(Router.Match.WrongMethod.class);
        assertThat(((Router.Match.WrongMethod) match).allowed()).containsExactly("GET", "PUT");
        assertThat(((Router.Match.WrongMethod) match("GET", "/v1/functions/hello/versions")).allowed())
                .containsExactly("POST");
    }

    @Test
    void aGreedyTailTakesTheRestOfThePathAndKeepsItRaw() {
        Router.Match.Found deep = found("PATCH", "/fn/hello/a/b%20c/d");
        assertThat(deep.route()).isSameAs(url);
        assertThat(deep.params()).containsEntry("name", "hello").containsEntry("path", "a/b c/d");
        assertThat(deep.rawTail()).isEqualTo("/a/b%20c/d");
        Router.Match.Found slash = found("GET", "/fn/hello/");
        assertThat(slash.rawTail()).isEqualTo("/");
        // a greedy parameter needs at least one segment
        assertThat(match("GET", "/fn/hello")).isInstanceOf(Router.Match.NotFound.class);
    }

    @Test
    void aProjectPrefixServesTheSameRoutesAndNamesTheProject() {
        Router.Match.Found inProject = found("GET", "/v1/projects/orders/functions/hello");
        assertThat(inProject.route()).isSameAs(get);
        assertThat(inProject.project()).isEqualTo("orders");
        assertThat(inProject.params()).containsEntry("name", "hello");
        assertThat(found("GET", "/v1/projects/my%20p/functions").project()).isEqualTo("my p");
        assertThat(found("GET", "/v1/functions").project()).isNull();
        assertThat(match("GET", "/v1/projects/orders")).isInstanceOf(Router.Match.NotFound.class);
        assertThat(match("GET", "/v1/projects/orders/nothing")).isInstanceOf(Router.Match.NotFound.class);
        // only under the prefix's base: /fn is not a /v1 route
        assertThat(match("GET", "/v1/projects/orders/fn/hello/x")).isInstanceOf(Router.Match.NotFound.class);
    }

    @Test
    void aRouteThatAsksForAQueryParameterWinsWhenItIsThere() {
        assertThat(((Router.Match.Found) router.match("GET", "/p/1", q -> q.equals("List"))).route()).isSameAs(listed);
        assertThat(router.match("GET", "/p/1", q -> false)).isInstanceOfSatisfying(Router.Match.Found.class,
                f -> assertThat(f.route()).isSameAs(single));
    }

    @Test
    void everyRouteDeclaresAnActionAndTemplatesAreChecked() {
        assertThatThrownBy(() -> Route.get("/x").handle(NOTHING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("declares no IAM action");
        assertThatThrownBy(() -> Route.get("/x/{rest+}/y")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Route.get("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Router.of(List.of(get, route("GET", "/v1/functions/{name}"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(get.resource()).isEqualTo("crn:cumulus:test:<project>:*");
        assertThat(single.resource()).isEqualTo("crn:cumulus:test:<project>:{x}");
    }

    @Test
    void routesStartingWithAParameterStillMatchBesideTheLiteralOnesInTableOrder() {
        Route first = route("GET", "/{bucket}/{key+}");
        Route literal = route("GET", "/v1/{name}");
        Route root = route("GET", "/");
        Route later = route("PUT", "/{bucket}/{key+}");
        Router mixed = Router.of(List.of(first, literal, root, later));

        assertThat(((Router.Match.Found) mixed.match("GET", "/v1/x", q -> false)).route())
                .as("the parameter route comes first in the table").isSameAs(first);
        assertThat(((Router.Match.Found) mixed.match("GET", "/other/x", q -> false)).route()).isSameAs(first);
        assertThat(((Router.Match.Found) mixed.match("PUT", "/v1/x", q -> false)).route()).isSameAs(later);
        assertThat(((Router.Match.Found) mixed.match("GET", "/", q -> false)).route()).isSameAs(root);
        assertThat(mixed.match("DELETE", "/v1/x", q -> false))
                .isEqualTo(new Router.Match.WrongMethod(List.of("GET", "PUT")));
        assertThat(mixed.match("GET", "/v2", q -> false)).isInstanceOf(Router.Match.NotFound.class);
    }

    @Test
    void theIndexFindsWhatTryingEveryRouteInTableOrderFinds() {
        // the reference: each route alone (a router of one route has nothing to index), tried
        // in the table's order as the router did before it indexed its routes
        java.util.Random random = new java.util.Random(12);
        String[] literals = {"a", "b", "c"};
        String[] params = {"{x}", "{y}", "{z}"};
        java.util.LinkedHashMap<String, Route> table = new java.util.LinkedHashMap<>();
        while (table.size() < 80) {
            int length = random.nextInt(5);
            StringBuilder template = new StringBuilder();
            for (int i = 0; i < length; i++) {
                boolean last = i == length - 1;
                template.append('/').append(last && random.nextInt(5) == 0 ? "{rest+}"
                        : random.nextBoolean() ? literals[random.nextInt(literals.length)] : params[i % params.length]);
            }
            String method = random.nextBoolean() ? "GET" : "PUT";
            Route r = route(method, template.isEmpty() ? "/" : template.toString());
            table.putIfAbsent(r.toString(), r);
        }
        List<Route> routes = List.copyOf(table.values());
        Router indexed = Router.of(routes);
        String[] pathSegments = {"a", "b", "c", "d", ""};
        for (int n = 0; n < 5_000; n++) {
            int length = random.nextInt(7);
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < length; i++) {
                path.append('/').append(pathSegments[random.nextInt(pathSegments.length)]);
            }
            String p = path.isEmpty() ? "/" : path.toString();
            String method = random.nextBoolean() ? "GET" : "PUT";
            Router.Match expected = new Router.Match.NotFound();
            java.util.LinkedHashSet<String> allowed = new java.util.LinkedHashSet<>();
            for (Route r : routes) {
                Router.Match alone = Router.of(List.of(r)).match(method, p, q -> false);
                if (alone instanceof Router.Match.Found) {
                    expected = alone;
                    break;
                }
                if (alone instanceof Router.Match.WrongMethod wrong) {
                    allowed.addAll(wrong.allowed());
                }
            }
            if (expected instanceof Router.Match.NotFound && !allowed.isEmpty()) {
                expected = new Router.Match.WrongMethod(List.copyOf(allowed));
            }
            assertThat(indexed.match(method, p, q -> false)).as("%s %s", method, p).isEqualTo(expected);
        }
    }
}
