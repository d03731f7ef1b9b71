package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.auth.AccessKeys;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import dev.cumulus.iam.TodayGuard;
import dev.cumulus.web.Api;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Every route of every API the edge serves is authorised (issue 11): each declares an IAM action
 * and a resource, and on a real node whose guard denies everything, every non-public route of
 * the REST API and of the Lambda API answers 403 in its own error shape, before its handler runs.
 * Public routes are exactly the ones meant to be.
 */
class EveryRouteAuthorisedTest {
    /** Served without a principal: health, function URLs (until a private one asks), user routes, code links, end-user auth. */
    static final Set<String> PUBLIC = Set.of("GET /healthz", "POST /v1/login", "* /fn/{name}", "* /fn/{name}/{path+}", "* /api",
            "* /api/{path+}", "GET /2015-03-31/cumulus-code/{sha256}",
            // end users' own routes (issue 15): they check their own access and refresh tokens
            "POST /v1/auth/signup", "POST /v1/auth/anonymous", "POST /v1/auth/login", "POST /v1/auth/refresh",
            "POST /v1/auth/logout", "POST /v1/auth/verify", "POST /v1/auth/reset", "POST /v1/auth/reset/confirm",
            "GET /v1/auth/me", "DELETE /v1/auth/me", "POST /v1/auth/me/password", "POST /v1/auth/me/email",
            "GET /v1/auth/jwks.json",
            // OIDC login (ADR 0032): state bound to the browser, the app's code bound to its PKCE verifier
            "GET /v1/auth/oidc/{provider}/authorize", "GET /v1/auth/oidc/{provider}/callback", "POST /v1/auth/oidc/token",
            // passkeys: one-time challenges; registering needs the user's access token, checked by the route
            "POST /v1/auth/passkeys/register/options", "POST /v1/auth/passkeys/register",
            "POST /v1/auth/passkeys/login/options", "POST /v1/auth/passkeys/login",
            // the browser client: code, the same for everyone
            "GET /sdk/cumulus.js",
            // S3: presigned URLs carry their own proof (checked by the route), preflights answer from CORS rules
            "GET /s3/{bucket}/{key+}?X-Amz-Signature", "PUT /s3/{bucket}/{key+}?X-Amz-Signature",
            "OPTIONS /s3/{bucket}", "OPTIONS /s3/{bucket}/{key+}");

    @TempDir
    static Path dataDir;

    static TestNode node;
    static final List<String> asked = new ArrayList<>();
    static AccessKeys.Created key;

    @BeforeAll
    static void start() throws IOException {
        AtomicReference<AccessKeys> keys = new AtomicReference<>();
        node = new TestNode(dataDir, c -> c.withStemCells(0), (token, accessKeys) -> {
            keys.set(accessKeys);
            return new DenyAll(new TodayGuard(token, accessKeys));
        });
        // POST /v1/keys is denied too: the key comes from the node's key store itself
        key = keys.get().create("signs the Lambda API requests of this test");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Authenticates as today's guard does, then denies every action and remembers what was asked. */
    record DenyAll(Guard today) implements Guard {
        @Override
        public Optional<Principal> bearer(String authorization, Facts facts) {
            return today.bearer(authorization, facts);
        }

        @Override
        public Optional<Principal> accessKey(String accessKeyId, Facts facts) {
            return today.accessKey(accessKeyId, facts);
        }

        @Override
        public String project(Principal who, String requested) {
            return today.project(who, requested);
        }

        @Override
        public void authorize(Principal who, String action, Crn resource, Facts facts) {
            synchronized (asked) {
                asked.add(action + " " + resource);
            }
            throw new ApiException(403, "AccessDenied", who + " may not " + action + " on " + resource);
        }
    }

    private static Api api(String name) {
        return node.platform.apis().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void everyRouteDeclaresAnActionAndAResourceAndOnlyTheKnownOnesArePublic() {
        List<String> publicRoutes = new ArrayList<>();
        int routes = 0;
        for (Api api : node.platform.apis()) {
            for (Route route : api.router().routes()) {
                routes++;
                assertThat(route.action()).as("the action of %s", route).matches("[a-z]+:[A-Za-z]+");
                assertThat(route.resource()).as("the resource of %s", route).startsWith("crn:cumulus:");
                assertThat(route.action().startsWith("lambda:")).as("%s's action %s", route, route.action())
                        .isEqualTo(api.name().equals("lambda"));
                if (route.isPublic()) {
                    publicRoutes.add(route.toString());
                }
            }
        }
        assertThat(node.platform.apis()).extracting(Api::name).containsExactly("cumulus", "lambda", "s3");
        assertThat(routes).isGreaterThan(80);
        assertThat(publicRoutes).containsExactlyInAnyOrderElementsOf(PUBLIC);
    }

    /** docs/iam.md's action table lists exactly the routes the node serves, with their actions and resources. */
    @Test
    void theIamDocListsEveryRouteWithItsActionAndResource() throws IOException {
        List<String> expected = new ArrayList<>();
        for (Api api : node.platform.apis()) {
            for (Route route : api.router().routes()) {
                expected.add("| `" + route.action() + "` | `" + route + "` | `" + route.resource() + "`"
                        + (route.isPublic() ? " (public)" : "") + " |");
            }
        }
        List<String> documented = java.nio.file.Files.readAllLines(Path.of("..", "docs", "iam.md")).stream()
                .filter(line -> line.startsWith("| `")).toList();
        assertThat(documented).as("docs/iam.md's rows; expected:%n%s", String.join("\n", expected))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aGuardThatDeniesEverythingGets403OnEveryRestRouteInCumulusJson() {
        for (Route route : api("cumulus").router().routes()) {
            if (route.isPublic() && !route.template().startsWith("/fn/")) {
                continue;
            }
            // a function URL asks for a principal when the function is not public (here: not there)
            for (String path : route.template().startsWith("/v1/")
                    ? List.of(concrete(route), "/v1/projects/default" + concrete(route).substring(3))
                    : List.of(concrete(route))) {
                HttpResponse<String> response = node.send(method(route), path, null);
                assertThat(response.statusCode()).as("%s as %s %s: %s", route, method(route), path, response.body())
                        .isEqualTo(403);
                JsonNode body = TestNode.json(response);
                assertThat(body.get("error").asText()).isEqualTo("AccessDenied");
                assertThat(body.get("message").asText()).contains(route.action());
                HttpResponse<String> anonymous = node.send(method(route), path, null, null);
                assertThat(anonymous.statusCode()).as("%s without a token", route).isEqualTo(401);
            }
        }
        synchronized (asked) {
            assertThat(asked).contains("functions:Invoke crn:cumulus:functions:default:x",
                    "functions:List crn:cumulus:functions:default:*", "topics:Publish crn:cumulus:topics:default:x",
                    "iam:CreateAccessKey crn:cumulus:iam:default:access-key/*");
        }
    }

    @Test
    void aGuardThatDeniesEverythingGets403OnEveryLambdaRouteInLambdasShape() throws Exception {
        for (Route route : api("lambda").router().routes()) {
            if (route.isPublic()) {
                continue;
            }
            String path = concrete(route) + (route.requiredQuery() == null ? "" : "?" + route.requiredQuery() + "=ALL");
            HttpResponse<String> response = node.http.send(signed(method(route), path),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", route, response.body()).isEqualTo(403);
            assertThat(response.headers().firstValue("x-amzn-ErrorType")).as("%s", route)
                    .contains("AccessDeniedException");
            assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
            JsonNode body = TestNode.json(response);
            assertThat(body.get("Type").asText()).isEqualTo("User");
            assertThat(body.get("message").asText()).contains(route.action());
        }
        synchronized (asked) {
            assertThat(asked).contains("lambda:InvokeFunction crn:cumulus:functions:default:x",
                    "lambda:CreateFunction crn:cumulus:functions:default:*");
        }
    }

    @Test
    void aGuardThatDeniesEverythingGets403OnEveryS3RouteInS3sXml() throws Exception {
        for (Route route : api("s3").router().routes()) {
            if (route.isPublic()) {
                continue;
            }
            String path = concrete(route) + (route.requiredQuery() == null ? "" : "?" + route.requiredQuery() + "=x");
            HttpResponse<String> response = node.http.send(signed(method(route), path, "s3"),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s: %s", route, response.body()).isEqualTo(403);
            if (!route.method().equals("HEAD")) {
                assertThat(response.body()).as("%s", route).contains("<Code>AccessDenied</Code>")
                        .contains(route.action());
            }
        }
        synchronized (asked) {
            assertThat(asked).contains("storage:GetObject crn:cumulus:storage:default:x/x",
                    "storage:CreateBucket crn:cumulus:storage:default:x", "storage:ListBuckets crn:cumulus:storage:default:*");
        }
    }

    private static String method(Route route) {
        return route.method().equals(Route.ANY) ? "GET" : route.method();
    }

    /** The template with every parameter {@code x}. */
    private static String concrete(Route route) {
        return route.template().replaceAll("\\{[A-Za-z0-9]+\\+?}", "x");
    }

    private static HttpRequest signed(String method, String path) {
        return signed(method, path, "lambda");
    }

    private static HttpRequest signed(String method, String path, String service) {
        URI uri = node.url(path);
        SdkHttpRequest request = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(key.key().accessKeyId(), key.secretAccessKey()))
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri).build())
                .payload(ContentStreamProvider.fromByteArray(new byte[0]))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        request.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> builder.header(name, v));
            }
        });
        return builder.build();
    }
}
