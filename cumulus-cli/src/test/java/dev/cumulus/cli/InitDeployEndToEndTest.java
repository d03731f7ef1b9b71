package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cumulus init} then {@code cumulus deploy} from the new folder, for every template,
 * against a real node running the functions in real sandboxes. The Maven templates run their real
 * build (./mvnw package, once each).
 */
class InitDeployEndToEndTest extends EndToEnd {
    @TempDir
    Path workspace;

    @ParameterizedTest
    @ValueSource(strings = {"java", "lambda-java", "provided-sh", "provided-python"})
    void initThenDeployFromTheNewFolderServesTheGreeting(String template) {
        String name = "fresh-" + template;
        assertThat(run(workspace, "init", name, "--template", template)).as(err()).isZero();
        assertThat(out()).startsWith("created " + name + " from template " + template + " in " + name + ":")
                .contains("cumulus.yaml").contains("cumulus deploy");
        Path project = workspace.resolve(name);

        assertThat(run(project, "deploy")).as(out() + err()).isZero();
        assertThat(out()).startsWith("deployed " + name + ": handler ");
        if (template.endsWith("java")) {
            assertThat(err()).contains("building " + project + ": ./mvnw -q -B package -DskipTests");
            assertThat(project.resolve("target/" + name + ".jar")).isRegularFile();
        }

        assertThat(run(project, "invoke", name, "--data", "{\"name\":\"Ada\"}")).as(out() + err()).isZero();
        assertThat(out()).contains("{\"greeting\":\"Hello, Ada!\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            run(project, "logs", name);
            return out().contains("greeting Ada");
        });
        assertThat(run(project, "rm", name)).isZero();
    }

    @Test
    void theManifestsRoutesAndSchedulesAreAppliedAndKeptInStepOnRedeploy() throws Exception {
        assertThat(run(workspace, "init", "greeter", "--template", "provided-sh")).as(err()).isZero();
        Path project = workspace.resolve("greeter");
        Path manifest = project.resolve("cumulus.yaml");
        String generated = Files.readString(manifest);
        Files.writeString(manifest, generated + """
                routes:
                  - method: GET
                    path: /greet
                    auth: none
                  - method: POST
                    path: /greet/{who}
                    throttle: {rate: 50, burst: 100}
                schedules:
                  - name: greeter-hourly
                    rate: 1 hour
                  - name: greeter-nightly
                    cron: "0 2 * * *"
                    timeZone: Europe/Berlin
                    payload: {name: Night}
                """);

        assertThat(run(project, "deploy")).as(out() + err()).isZero();
        assertThat(out()).containsPattern("added route r-[0-9a-f]{12}: GET /api/greet -> greeter")
                .containsPattern("added route r-[0-9a-f]{12}: POST /api/greet/\\{who\\} -> greeter")
                .contains("added schedule greeter-hourly: rate(1 hour) UTC -> greeter, next ")
                .contains("added schedule greeter-nightly: cron(0 2 * * *) Europe/Berlin -> greeter, next ");
        assertThat(get("/api/greet").body()).isEqualTo("{\"greeting\":\"Hello, world!\"}");
        assertThat(run(project, "schedules", "ls")).isZero();
        assertThat(out()).containsPattern("greeter-nightly\\s+cron\\(0 2 \\* \\* \\*\\)\\s+Europe/Berlin\\s+greeter\\s+yes");

        // the same manifest again: nothing to change
        assertThat(run(project, "deploy")).as(out() + err()).isZero();
        assertThat(out()).contains("kept route").doesNotContain("added route").doesNotContain("removed")
                .contains("kept schedule greeter-hourly").contains("kept schedule greeter-nightly");

        // a changed function, a new path, a changed route, a changed and a dropped schedule; flags win over the file
        Files.writeString(project.resolve("function.sh"),
                Files.readString(project.resolve("function.sh")).replace("{\"greeting\"", "{\"v\":2,\"greeting\""));
        Files.writeString(manifest, generated + """
                routes:
                  - method: GET
                    path: /hello
                    auth: none
                  - method: POST
                    path: /greet/{who}
                    throttle: {rate: 20, burst: 40}
                schedules:
                  - name: greeter-hourly
                    rate: 2 hours
                """);
        assertThat(run(project, "deploy", "--memory", "512", "--env", "GREETING=Hi")).as(out() + err()).isZero();
        assertThat(out()).containsPattern("removed route r-[0-9a-f]{12}: GET /api/greet -> greeter")
                .containsPattern("added route r-[0-9a-f]{12}: GET /api/hello -> greeter")
                .containsPattern("replaced route r-[0-9a-f]{12}: POST /api/greet/\\{who\\} -> greeter")
                .contains("replaced schedule greeter-hourly: rate(2 hours) UTC -> greeter")
                .contains("removed schedule greeter-nightly");
        assertThat(get("/api/greet").statusCode()).isEqualTo(404);
        assertThat(get("/api/hello").body()).isEqualTo("{\"v\":2,\"greeting\":\"Hi, world!\"}");
        assertThat(run(project, "ls")).isZero();
        assertThat(out()).containsPattern("greeter\\s+provided\\s+function.handler\\s+512 MB");
        assertThat(run(project, "routes", "ls")).isZero();
        assertThat(out()).containsPattern("POST\\s+/api/greet/\\{who\\}\\s+greeter\\s+2.0\\s+token\\s+-\\s+20.0/s burst 40");
        assertThat(run(project, "schedules", "ls")).isZero();
        assertThat(out()).contains("greeter-hourly").doesNotContain("greeter-nightly");

        // without routes and schedules in the manifest, deploy leaves them alone
        Files.writeString(manifest, generated);
        assertThat(run(project, "deploy")).as(out() + err()).isZero();
        assertThat(out()).doesNotContain("route").doesNotContain("schedule");
        assertThat(get("/api/hello").statusCode()).isEqualTo(200);
    }

    @Test
    void aScheduleNameOfAnotherFunctionStopsTheDeployBeforeAnythingChanges() throws Exception {
        assertThat(run(workspace, "init", "first", "--template", "provided-sh")).isZero();
        assertThat(run(workspace, "init", "second", "--template", "provided-sh")).isZero();
        String schedule = """
                schedules:
                  - name: shared-name
                    rate: 5 minutes
                """;
        Path first = workspace.resolve("first");
        Files.writeString(first.resolve("cumulus.yaml"), Files.readString(first.resolve("cumulus.yaml")) + schedule);
        assertThat(run(first, "deploy")).as(out() + err()).isZero();
        Path second = workspace.resolve("second");
        Files.writeString(second.resolve("cumulus.yaml"), Files.readString(second.resolve("cumulus.yaml")) + schedule);

        assertThat(run(second, "deploy")).isEqualTo(1);
        assertThat(err()).isEqualTo("error: schedule shared-name exists already for function first"
                + " (schedule names are node-wide: rename it in the manifest)\n");
        assertThat(run(second, "invoke", "second")).isEqualTo(1);
        assertThat(err()).contains("function second does not exist");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(node.url().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
