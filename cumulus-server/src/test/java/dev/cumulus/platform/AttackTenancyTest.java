package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.web.Api;
import dev.cumulus.web.Route;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The tenancy attack suite (issue 11): one project's principals against another project's
 * resources over every route of the node, a function's execution token used beyond its role,
 * refused tokens audited, an access key limited to invoking one function with the AWS SDK and
 * the AWS CLI, the egress grant as an IAM action of its own, and quota and rate breaches. The
 * sandbox side (other functions' files, processes, network) is {@code AttackSandboxTest} and
 * {@code EgressTest}.
 */
class AttackTenancyTest {
    static final String AWS = "/usr/bin/aws";

    @TempDir
    static Path dataDir;

    static TestNode node;
    /** Admin of project {@code victim}'s neighbour {@code attacker}: {@code *} on everything of its own. */
    static String attackerKey;
    static String victimAsyncRequest;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
        for (String project : List.of("victim", "attacker", "limited")) {
            HttpResponse<String> created = node.send("POST", "/v1/projects", "{\"name\":\"" + project + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        attackerKey = TestNode.json(node.send("POST", "/v1/api-keys", "{\"project\":\"attacker\",\"admin\":true}"))
                .get("token").asText();
        // the victim's resources: a function with a secret, a topic, an async invocation
        ok(inVictim("PUT", "/v1/functions/hello", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                "codeSha256", node.testFunctionsCode()))));
        ok(inVictim("PUT", "/v1/functions/hello/secrets/TOKEN", "{\"value\":\"victim-secret-value\"}"));
        ok(inVictim("PUT", "/v1/topics/news", null));
        HttpResponse<String> queued = node.exchange(HttpRequest.newBuilder(node.url("/v1/projects/victim/functions/hello/invoke"))
                .header("Authorization", "Bearer " + node.platform.rootToken())
                .header("X-Cumulus-Invocation-Type", "Event").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        victimAsyncRequest = TestNode.json(ok(queued)).get("requestId").asText();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> inVictim(String method, String path, String body) {
        return node.send(method, "/v1/projects/victim" + path.substring("/v1".length()), body);
    }

    static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return response;
    }

    static HttpResponse<String> as(String token, String method, String path, String body, String project) {
        return node.send(method, path, body, token, project);
    }

    /** A route's template with the victim's names in its parameters. */
    static String path(Route route) {
        return route.template().replace("{name}", "hello").replace("{topic}", "news").replace("{key}", "TOKEN")
                .replace("{requestId}", victimAsyncRequest).replace("{path+}", "x").replaceAll("\\{[A-Za-z]+\\+?}", "x")
                + (route.requiredQuery() == null ? "" : "?" + route.requiredQuery());
    }

    static List<Route> restRoutes() {
        List<Route> all = new ArrayList<>();
        for (Api api : node.platform.apis()) {
            if (api.name().equals("cumulus")) {
                all.addAll(api.router().routes());
            }
        }
        return all;
    }

    @Test
    void aKeyOfAnotherProjectIsDeniedEveryRouteThatNamesTheVictim() {
        List<String> allowed = new ArrayList<>();
        for (Route route : restRoutes()) {
            if (route.isPublic() || !route.template().startsWith("/v1/")) {
                continue; // no principal to deny; their own tests cover them
            }
            String method = route.method().equals(Route.ANY) ? "GET" : route.method();
            String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
            String path = path(route);
            HttpResponse<String> byHeader = as(attackerKey, method, path, body, "victim");
            HttpResponse<String> byPrefix = as(attackerKey, method, "/v1/projects/victim" + path.substring(3), body, null);
            if (byHeader.statusCode() != 403) {
                allowed.add(route + " (header): " + byHeader.statusCode());
            }
            if (byPrefix.statusCode() != 403) {
                allowed.add(route + " (prefix): " + byPrefix.statusCode());
            }
        }
        assertThat(allowed).as("routes that let the attacker name the victim's project").isEmpty();
        assertVictimUntouched();
    }

    @Test
    void aKeyActingInItsOwnProjectNeverReachesTheVictimsResources() {
        List<String> leaks = new ArrayList<>();
        for (Route route : restRoutes()) {
            if (route.isPublic() || !route.template().startsWith("/v1/") || route.method().equals("DELETE")
                    || route.template().equals("/v1/token/rotate") || route.template().endsWith("/changes")) {
                // deletes act in the attacker's own project (checked by assertVictimUntouched);
                // a change stream of the attacker's own collection would not end
                continue;
            }
            String method = route.method().equals(Route.ANY) ? "GET" : route.method();
            String body = method.equals("POST") || method.equals("PUT") ? "{}" : null;
            HttpResponse<String> response = as(attackerKey, method, path(route), body, null);
            if (response.statusCode() / 100 == 2 && (response.body().contains("victim-secret-value")
                    || response.body().contains("\"hello\"") || response.body().contains(victimAsyncRequest)
                    || response.body().contains("Hello, "))) {
                leaks.add(route + ": " + response.statusCode() + " " + response.body());
            }
        }
        assertThat(leaks).as("answers that carried the victim's data").isEmpty();
        // the names resolve in the attacker's own project, where they do not exist
        assertThat(as(attackerKey, "GET", "/v1/functions/hello", null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "POST", "/v1/functions/hello/invoke", "{}", null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "GET", "/v1/invocations/" + victimAsyncRequest, null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "GET", "/v1/functions/hello/logs", null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "GET", "/fn/hello", null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "DELETE", "/v1/functions/hello", null, null).statusCode()).isEqualTo(404);
        // the sweep's PUT /v1/topics/news made the attacker a topic of its own: that one goes
        assertThat(as(attackerKey, "DELETE", "/v1/topics/news", null, null).statusCode()).isEqualTo(204);
        assertThat(as(attackerKey, "POST", "/v1/token/rotate", null, null).statusCode()).isEqualTo(403);
        assertThat(as(attackerKey, "PUT", "/v1/quotas", "{\"functions\":1000}", null).statusCode()).isEqualTo(403);
        assertVictimUntouched();
    }

    @Test
    void userRoutesAreEachProjectsOwn() {
        String code = node.testFunctionsCode();
        ok(inVictim("PUT", "/v1/functions/echo", TestNode.write(Map.of("handler", "dev.cumulus.testfn.EventEcho",
                "codeSha256", code))));
        ok(inVictim("POST", "/v1/routes", "{\"method\":\"GET\",\"path\":\"/who\",\"function\":\"echo\","
                + "\"auth\":\"none\"}"));
        // the attacker's route on the same path, to its own function
        ok(as(attackerKey, "PUT", "/v1/functions/greeter", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                "codeSha256", code)), null));
        ok(as(attackerKey, "POST", "/v1/routes", "{\"method\":\"GET\",\"path\":\"/who\",\"function\":\"greeter\","
                + "\"auth\":\"none\"}", null));
        // a route names a function of its own project only: the victim's echo is none of the attacker's
        HttpResponse<String> foreign = as(attackerKey, "POST", "/v1/routes",
                "{\"method\":\"GET\",\"path\":\"/steal\",\"function\":\"echo\",\"auth\":\"none\"}", null);
        assertThat(foreign.statusCode()).as(foreign.body()).isEqualTo(400);
        assertThat(TestNode.json(foreign).get("error").asText()).isEqualTo("UnknownFunction");

        // /api serves the route table of the project the header names, else default's
        HttpResponse<String> victims = node.send("GET", "/api/who", null, null, "victim");
        assertThat(victims.statusCode()).as(victims.body()).isEqualTo(200);
        assertThat(victims.body()).contains("requestContext").doesNotContain("Hello");
        HttpResponse<String> attackers = node.send("GET", "/api/who", null, null, "attacker");
        assertThat(attackers.statusCode()).as(attackers.body()).isEqualTo(200);
        assertThat(attackers.body()).contains("Hello").doesNotContain("requestContext");
        HttpResponse<String> defaults = node.send("GET", "/api/who", null, null, null);
        assertThat(defaults.statusCode()).isEqualTo(404);
        assertThat(TestNode.json(defaults).get("error").asText()).isEqualTo("RouteNotFound");
        assertThat(node.send("GET", "/api/who", null, null, "no-such-project").statusCode()).isEqualTo(404);

        // each lists its own; the attacker's delete of the victim's route id finds nothing
        JsonNode mine = TestNode.json(ok(as(attackerKey, "GET", "/v1/routes", null, null))).get("routes");
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).get("function").asText()).isEqualTo("greeter");
        String victimRoute = TestNode.json(ok(inVictim("GET", "/v1/routes", null))).get("routes").get(0).get("id").asText();
        assertThat(as(attackerKey, "DELETE", "/v1/routes/" + victimRoute, null, null).statusCode()).isEqualTo(404);
        assertThat(node.send("GET", "/api/who", null, null, "victim").statusCode()).isEqualTo(200);
    }

    @Test
    void schedulesAreEachProjectsOwn() {
        ok(inVictim("POST", "/v1/schedules", "{\"name\":\"nightly\",\"function\":\"hello\",\"rate\":\"1 day\"}"));
        // the attacker names the victim's function: in its own project there is none
        HttpResponse<String> refused = as(attackerKey, "POST", "/v1/schedules",
                "{\"name\":\"nightly\",\"function\":\"hello\",\"rate\":\"1 day\"}", null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(TestNode.json(refused).get("error").asText()).isEqualTo("UnknownFunction");
        assertThat(as(attackerKey, "GET", "/v1/schedules", null, null).body()).doesNotContain("nightly");
        assertThat(as(attackerKey, "GET", "/v1/schedules/nightly", null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "DELETE", "/v1/schedules/nightly", null, null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "POST", "/v1/schedules/nightly/disable", null, null).statusCode()).isEqualTo(404);
        JsonNode mine = TestNode.json(ok(inVictim("GET", "/v1/schedules/nightly", null)));
        assertThat(mine.get("enabled").asBoolean()).isTrue();
    }

    static void assertVictimUntouched() {
        JsonNode function = TestNode.json(ok(inVictim("GET", "/v1/functions/hello", null)));
        assertThat(function.get("handler").asText()).isEqualTo("dev.cumulus.testfn.Hello");
        assertThat(ok(inVictim("GET", "/v1/functions/hello/secrets", null)).body()).contains("TOKEN");
        ok(inVictim("GET", "/v1/topics/news", null));
        assertThat(TestNode.json(ok(inVictim("POST", "/v1/functions/hello/invoke", "{\"name\":\"V\"}")))
                .get("greeting").asText()).isEqualTo("Hello, V!");
    }

    @Test
    void theLambdaApiActsInTheKeysOwnProject() throws Exception {
        SdkBytes code = SdkBytes.fromByteArray(zip());
        JsonNode key = TestNode.json(ok(node.send("POST", "/v1/keys", "{\"project\":\"attacker\"}")));
        try (LambdaClient lambda = LambdaApiTest.client(node, key.get("accessKeyId").asText(),
                key.get("secretAccessKey").asText())) {
            assertThat(lambda.listFunctions().functions()).noneMatch(f -> f.functionName().equals("hello"));
            assertThatThrownBy(() -> lambda.getFunction(r -> r.functionName("hello")))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("hello")))
                    .isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> lambda.deleteFunction(r -> r.functionName("hello")))
                    .isInstanceOf(ResourceNotFoundException.class);
            // a function the attacker makes is its own project's, invisible to the victim
            lambda.createFunction(r -> r.functionName("attacker-fn").runtime("java21").handler(LambdaApiTest.HELLO)
                    .role("arn:aws:iam::123456789012:role/x")
                    .code(c -> c.zipFile(code)));
        }
        assertThat(inVictim("GET", "/v1/functions/attacker-fn", null).statusCode()).isEqualTo(404);
        assertThat(as(attackerKey, "GET", "/v1/functions/attacker-fn", null, null).statusCode()).isEqualTo(200);
        assertVictimUntouched();
    }

    static byte[] zip() throws Exception {
        return LambdaApiTest.zipOfTestFunctions(null);
    }

    @Test
    void aFunctionsTokenCarriesOnlyItsRole() throws Exception {
        ok(inVictim("POST", "/v1/roles", """
                {"name":"orders","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"functions:Invoke","Resource":"crn:cumulus:functions:victim:orders-*"}]}}"""));
        ok(inVictim("PUT", "/v1/functions/orders-create", TestNode.write(Map.of("handler",
                "dev.cumulus.testfn.Credentials", "codeSha256", node.testFunctionsCode(), "role", "orders"))));
        ok(inVictim("PUT", "/v1/functions/orders-other", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                "codeSha256", node.testFunctionsCode()))));
        ok(inVictim("PUT", "/v1/functions/billing-run", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                "codeSha256", node.testFunctionsCode()))));
        String token = TestNode.json(ok(inVictim("POST", "/v1/functions/orders-create/invoke", "{}")))
                .get("token").asText();

        // what the function may do with its token, and nothing else
        assertThat(as(token, "POST", "/v1/functions/orders-other/invoke", "{}", null).statusCode()).isEqualTo(200);
        assertThat(as(token, "POST", "/v1/functions/billing-run/invoke", "{}", null).statusCode()).isEqualTo(403);
        assertThat(as(token, "GET", "/v1/functions", null, null).statusCode()).isEqualTo(403);
        assertThat(as(token, "PUT", "/v1/functions/orders-other", "{\"memoryMb\":256}", null).statusCode())
                .isEqualTo(403);
        assertThat(as(token, "POST", "/v1/functions/orders-other/invoke", "{}", "attacker").statusCode())
                .isEqualTo(403);
        // a tampered token is no principal at all, and its refusal is audited in the project it claimed
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].startsWith("A") ? "B" : "A") + parts[2].substring(1);
        HttpResponse<String> withTampered = as(tampered, "POST", "/v1/functions/orders-other/invoke", "{}", null);
        assertThat(withTampered.statusCode()).as("token %s tampered %s answer %s", token, tampered, withTampered.body())
                .isEqualTo(401);

        JsonNode audit = TestNode.json(ok(node.send("GET", "/v1/projects/victim/audit?outcome=deny", null)));
        assertThat(audit.toString()).contains("role:orders@victim").contains("functions:Invoke")
                .contains("crn:cumulus:functions:victim:billing-run").contains("iam:UseExecutionToken");
    }

    @Test
    void aFunctionCallsTheNodeFromItsSandboxWithItsRoleAndNothingMore() {
        ok(inVictim("POST", "/v1/roles", """
                {"name":"inv-caller","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"functions:Invoke","Resource":"crn:cumulus:functions:victim:inv-orders-*"}]}}"""));
        String code = node.testFunctionsCode();
        for (String callee : List.of("inv-orders-create", "inv-billing-run")) {
            ok(inVictim("PUT", "/v1/functions/" + callee, TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                    "codeSha256", code))));
        }
        ok(inVictim("PUT", "/v1/functions/with-role", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Caller",
                "codeSha256", code, "role", "inv-caller"))));
        ok(inVictim("PUT", "/v1/functions/without-role", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Caller",
                "codeSha256", code))));

        JsonNode allowed = TestNode.json(ok(inVictim("POST", "/v1/functions/with-role/invoke",
                "{\"call\":\"inv-orders-create\"}")));
        assertThat(allowed.path("answer").asText()).contains("Hello, with-role!");
        JsonNode denied = TestNode.json(ok(inVictim("POST", "/v1/functions/with-role/invoke",
                "{\"call\":\"inv-billing-run\"}")));
        assertThat(denied.path("status").asInt()).isEqualTo(403);
        assertThat(denied.path("error").asText()).isEqualTo("AccessDenied");
        // its own project only: naming another project's function is no way out
        JsonNode elsewhere = TestNode.json(ok(inVictim("POST", "/v1/functions/with-role/invoke",
                "{\"call\":\"../../projects/attacker/functions/attacker-fn\"}")));
        assertThat(elsewhere.path("status").asInt()).isBetween(400, 404);
        JsonNode noRole = TestNode.json(ok(inVictim("POST", "/v1/functions/without-role/invoke",
                "{\"call\":\"inv-orders-create\"}")));
        assertThat(noRole.path("status").asInt()).isEqualTo(403);
        assertThat(noRole.path("error").asText()).isEqualTo("NoRole");

        JsonNode audit = TestNode.json(ok(node.send("GET", "/v1/projects/victim/audit?outcome=deny", null)));
        assertThat(audit.toString()).contains("role:inv-caller@victim")
                .contains("crn:cumulus:functions:victim:inv-billing-run");
    }

    @Test
    void anAccessKeyLimitedToInvokingOneFunctionInvokesItAndNothingElse() throws Exception {
        ok(inVictim("PUT", "/v1/functions/only-this", TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello",
                "codeSha256", node.testFunctionsCode()))));
        JsonNode key = TestNode.json(ok(node.send("POST", "/v1/keys", """
                {"project":"victim","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"lambda:InvokeFunction","Resource":"crn:cumulus:functions:victim:only-this"}]}}""")));
        String id = key.get("accessKeyId").asText();
        SdkBytes code = SdkBytes.fromByteArray(zip());
        String secret = key.get("secretAccessKey").asText();
        try (LambdaClient lambda = LambdaApiTest.client(node, id, secret)) {
            assertThat(lambda.invoke(r -> r.functionName("only-this")
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"Key\"}"))).payload().asUtf8String())
                    .contains("Hello, Key!");
            assertThatThrownBy(() -> lambda.invoke(r -> r.functionName("hello")))
                    .isInstanceOfSatisfying(LambdaException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                    });
            assertThatThrownBy(() -> lambda.createFunction(r -> r.functionName("sneaky").runtime("java21")
                    .handler(LambdaApiTest.HELLO).role("arn:aws:iam::123456789012:role/x")
                    .code(c -> c.zipFile(code))))
                    .isInstanceOfSatisfying(LambdaException.class, e ->
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
        }
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", id, "AWS_SECRET_ACCESS_KEY", secret);
        Path out = dataDir.resolve("cli-out.json");
        Run invoked = aws(env, "lambda", "invoke", "--function-name", "only-this", "--cli-binary-format", "raw-in-base64-out",
                "--payload", "{\"name\":\"Cli\"}", out.toString());
        assertThat(invoked.exitCode()).as(invoked.stderr()).isZero();
        assertThat(Files.readString(out)).contains("Hello, Cli!");
        Run other = aws(env, "lambda", "invoke", "--function-name", "hello", out.toString());
        assertThat(other.exitCode()).isNotZero();
        assertThat(other.stderr()).contains("AccessDeniedException");
        Run listed = aws(env, "lambda", "list-functions");
        assertThat(listed.exitCode()).isNotZero();
        assertThat(listed.stderr()).contains("AccessDeniedException");
    }

    record Run(int exitCode, String stdout, String stderr) {}

    static Run aws(Map<String, String> credentials, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(AWS, "--endpoint-url",
                node.url("/").toString().replaceAll("/$", ""), "--output", "json"));
        command.addAll(List.of(args));
        Path stdout = dataDir.resolve("aws-stdout");
        Path stderr = dataDir.resolve("aws-stderr");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(credentials);
        builder.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        builder.environment().put("AWS_PAGER", "");
        builder.environment().put("AWS_MAX_ATTEMPTS", "1");
        builder.environment().put("AWS_CONFIG_FILE", dataDir.resolve("no-config").toString());
        builder.environment().put("AWS_SHARED_CREDENTIALS_FILE", dataDir.resolve("no-credentials").toString());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("aws finished").isTrue();
        return new Run(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void grantingEgressIsAnActionOfItsOwn() {
        String deployer = TestNode.json(ok(node.send("POST", "/v1/api-keys", """
                {"project":"victim","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":["functions:*","code:*"],"Resource":"crn:cumulus:*:victim:*"},
                 {"Effect":"Deny","Action":"functions:GrantEgress","Resource":"*"}]}}"""))).get("token").asText();
        String body = TestNode.write(Map.of("handler", "dev.cumulus.testfn.Hello", "codeSha256",
                node.testFunctionsCode(), "network", "full"));

        HttpResponse<String> refused = as(deployer, "PUT", "/v1/functions/wants-out", body, "victim");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(TestNode.json(refused).get("error").asText()).isEqualTo("AccessDenied");
        assertThat(inVictim("GET", "/v1/functions/wants-out", null).statusCode()).isEqualTo(404);
        // the same key deploys without egress
        assertThat(as(deployer, "PUT", "/v1/functions/stays-in", TestNode.write(Map.of("handler",
                "dev.cumulus.testfn.Hello", "codeSha256", node.testFunctionsCode())), "victim").statusCode())
                .isEqualTo(201);
        JsonNode audit = TestNode.json(ok(node.send("GET", "/v1/projects/victim/audit?outcome=deny", null)));
        assertThat(audit.toString()).contains("functions:GrantEgress")
                .contains("crn:cumulus:functions:victim:wants-out");
    }

    @Test
    void quotaAndRateBreachesAreAnsweredAndTheNodeStaysHealthy() {
        HttpResponse<String> set = node.send("PUT", "/v1/projects/limited/quotas",
                "{\"functions\":1,\"invocationsPerSecond\":2}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(node.send("PUT", "/v1/projects/limited/quotas", "{\"functions\":0}").statusCode()).isEqualTo(400);
        assertThat(node.send("PUT", "/v1/projects/limited/quotas", "{\"nope\":1}").statusCode()).isEqualTo(400);
        assertThat(TestNode.json(node.send("GET", "/v1/projects/limited/quotas", null)).get("functions").asInt())
                .isEqualTo(1);
        String code = node.testFunctionsCode();
        ok(node.send("PUT", "/v1/projects/limited/functions/one", TestNode.write(Map.of("handler",
                "dev.cumulus.testfn.Hello", "codeSha256", code))));

        HttpResponse<String> second = node.send("PUT", "/v1/projects/limited/functions/two", TestNode.write(Map.of(
                "handler", "dev.cumulus.testfn.Hello", "codeSha256", code)));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(403);
        assertThat(TestNode.json(second).get("error").asText()).isEqualTo("QuotaExceeded");
        // an update of the existing function is no new function
        ok(node.send("PUT", "/v1/projects/limited/functions/one", "{\"memoryMb\":256}"));

        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> throttled = null;
        for (int i = 0; i < 20 && throttled == null; i++) {
            HttpResponse<String> r = node.send("POST", "/v1/projects/limited/functions/one/invoke", "{}");
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) {
                throttled = r;
            }
        }
        assertThat(throttled).as("statuses %s", statuses).isNotNull();
        assertThat(TestNode.json(throttled).get("error").asText()).isEqualTo("TooManyRequests");
        assertThat(TestNode.json(throttled).get("retryAfterSeconds").asLong()).isPositive();
        // another project's rate is its own, and the node is fine
        assertThat(inVictim("POST", "/v1/functions/hello/invoke", "{}").statusCode()).isEqualTo(200);
        assertThat(node.send("GET", "/healthz", null).statusCode()).isEqualTo(200);
    }
}
