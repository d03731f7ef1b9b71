package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A public route under the project prefix acts in the project its path names (end-user auth,
 * issue 15): {@code call.project()} is that project, unchecked, without any principal; a header
 * never names it, and a path without the prefix names none.
 */
class PublicRouteProjectTest {
    /** Authenticates nobody: a public route must not need it. */
    static final Guard NOBODY = new Guard() {
        @Override
        public Optional<Principal> bearer(String authorization, Facts facts) {
            return Optional.empty();
        }

        @Override
        public Optional<Principal> accessKey(String accessKeyId, Facts facts) {
            return Optional.empty();
        }

        @Override
        public String project(Principal who, String requested) {
            throw new AssertionError("a public route settles no project through the guard");
        }

        @Override
        public void authorize(Principal who, String action, Crn resource, Facts facts) {
            throw new AssertionError("a public route is not authorised");
        }
    };

    static Server server;
    static URI base;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Route where = Route.get("/v1/auth/where").authorize("users:Where", "users", "auth").publicAccess()
                .handle(call -> call.json(200, java.util.Collections.singletonMap("project", call.project())));
        Api api = Api.builder("test").router(Router.of(List.of(where)).projectPrefix("/v1")).guard(NOBODY)
                .authenticator(Api.bearer(NOBODY)).build();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                api.serve(request, response, callback);
                return true;
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static String get(String path, String projectHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (projectHeader != null) {
            request.header(Call.PROJECT_HEADER, projectHeader);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void thePathsProjectIsTheCallsProjectWithoutAPrincipal() throws Exception {
        assertThat(get("/v1/projects/shop/auth/where", null)).isEqualTo("{\"project\":\"shop\"}");
        assertThat(get("/v1/projects/shop/auth/where", "other")).isEqualTo("{\"project\":\"shop\"}");
    }

    @Test
    void aHeaderNamesNoProjectForAPublicRoute() throws Exception {
        assertThat(get("/v1/auth/where", "shop")).isEqualTo("{\"project\":null}");
        assertThat(get("/v1/auth/where", null)).isEqualTo("{\"project\":null}");
    }
}
