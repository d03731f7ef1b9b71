package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Call;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.logs.LogLine;
import dev.cumulus.metering.UsageRow;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function is known by (project, name): two projects each deploy a {@code hello} with different
 * code on one node, and each sees only its own in the registry, invocations, logs and usage.
 */
class ProjectIsolationTest {
    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void twoProjectsEachRunTheirOwnHello() throws Exception {
        Instant from = Instant.now();
        String code = node.testFunctionsCode();
        FunctionRegistry alpha = node.platform.registry().project("alpha");
        FunctionRegistry beta = node.platform.registry().project("beta");
        alpha.put(FunctionConfig.defaults("hello", "dev.cumulus.testfn.Hello"), code);
        beta.put(FunctionConfig.defaults("hello", "dev.cumulus.testfn.PrintEvent"), code);

        Invocation a = invoke("alpha", "{\"name\":\"Ada\"}");
        Invocation b = invoke("beta", "{\"name\":\"Bob\"}");

        assertThat(new String(a.payload(), StandardCharsets.UTF_8)).contains("Hello, Ada!");
        assertThat(new String(b.payload(), StandardCharsets.UTF_8)).isEqualTo("{}");
        assertThat(a.requestId()).isNotEqualTo(b.requestId());
        // the default project has no hello, over the REST API either
        assertThat(node.platform.registry().get("hello")).isEmpty();
        assertThat(node.invoke("hello", java.util.Map.of()).statusCode()).isEqualTo(404);

        List<String> alphaLog = lines("alpha");
        List<String> betaLog = lines("beta");
        assertThat(alphaLog).anyMatch(l -> l.contains("greeting Ada")).noneMatch(l -> l.contains("Bob"));
        assertThat(betaLog).anyMatch(l -> l.contains("event {\"name\":\"Bob\"}")).noneMatch(l -> l.contains("Ada"));
        assertThat(alphaLog).anyMatch(l -> l.contains(a.requestId())).noneMatch(l -> l.contains(b.requestId()));
        assertThat(node.platform.logs().tail("hello", 100)).isEmpty();

        node.platform.flushMetering();
        Instant to = Instant.now().plusSeconds(1);
        assertThat(node.platform.usage().byFunction("alpha", from, to)).singleElement()
                .satisfies(row -> assertThat(row.functionName()).isEqualTo("hello"))
                .extracting(UsageRow::requests).isEqualTo(1L);
        assertThat(node.platform.usage().byFunction("beta", from, to)).extracting(UsageRow::requests)
                .containsExactly(1L);
        assertThat(node.platform.usage().byFunction(from, to)).noneMatch(r -> r.functionName().equals("hello"));
        assertThat(node.platform.usage().records(from, to)).filteredOn(r -> r.requestId().equals(b.requestId()))
                .singleElement().satisfies(r -> assertThat(r.project()).isEqualTo("beta"));

        assertThat(node.platform.scheduler().counts("alpha", "hello").total()).isEqualTo(1);
        assertThat(node.platform.scheduler().counts("beta", "hello").total()).isEqualTo(1);

        // an asynchronous event runs in the project it was submitted to, under that project's row
        String queued = node.platform.async().submit(new AsyncInvoker.Event("hello",
                "{\"name\":\"Queued\"}".getBytes(StandardCharsets.UTF_8)).inProject("beta")).requestId();
        await().atMost(Duration.ofSeconds(60)).until(() -> lines("beta").stream().anyMatch(l -> l.contains("Queued")));
        assertThat(lines("alpha")).noneMatch(l -> l.contains("Queued"));
        assertThat(node.platform.logs().forRequest("beta", "hello", queued)).isNotEmpty();

        // one project's delete leaves the other's function running
        assertThat(alpha.delete("hello")).isTrue();
        node.platform.scheduler().retireAll("alpha", "hello");
        assertThatThrownBy(() -> invoke("alpha", "{}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThat(new String(invoke("beta", "{\"name\":\"Cy\"}").payload(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void aFunctionPublishesOnlyToItsOwnProjectsTopics() throws Exception {
        assertThat(node.send("PUT", "/v1/topics/news", null).statusCode()).isEqualTo(201);
        // gamma's publisher may publish to every topic it can name: only its own project's exist for it
        assertThat(node.send("POST", "/v1/projects", "{\"name\":\"gamma\"}").statusCode()).isEqualTo(201);
        assertThat(node.send("POST", "/v1/projects/gamma/roles", """
                {"name":"pub","policy":{"Version":"2026-12-01","Statement":[{"Effect":"Allow",
                 "Action":"topics:Publish","Resource":"*"}]}}""").statusCode()).isEqualTo(201);
        node.platform.registry().project("gamma").put(
                FunctionConfig.defaults("pub", "dev.cumulus.testfn.Publisher").withRole("pub"), node.testFunctionsCode());

        // topic news is the default project's: from project gamma there is no such topic
        Invocation refused = node.platform.invoker().invoke(Call.to("gamma", "pub").trigger(Call.Trigger.REST_API)
                .payload("{\"topic\":\"news\",\"data\":\"{}\"}".getBytes(StandardCharsets.UTF_8)).build());

        assertThat(new String(refused.payload(), StandardCharsets.UTF_8)).contains("\"refused\":404");
    }

    private static Invocation invoke(String project, String event) throws InterruptedException {
        return node.platform.invoker().invoke(Call.to(project, "hello").trigger(Call.Trigger.REST_API)
                .payload(event.getBytes(StandardCharsets.UTF_8)).build());
    }

    private static List<String> lines(String project) {
        return node.platform.logs().tail(project, "hello", 100).stream().map(LogLine::line).toList();
    }
}
