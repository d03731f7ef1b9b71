package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading cumulus.yaml / cumulus.json, and what deploy and init say about bad input before they reach a node. */
class ManifestTest {
    @TempDir
    Path dir;

    private Manifest read(String file, String text) throws IOException {
        Path path = dir.resolve(file);
        Files.writeString(path, text);
        return Manifest.read(path);
    }

    private void assertUsageError(String file, String text, String message) {
        assertThatThrownBy(() -> read(file, text)).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(CliException.USAGE);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void readsEveryFieldOfAYamlManifest() throws IOException {
        Manifest m = read("cumulus.yaml", """
                name: shop
                runtime: java25
                handler: com.example.Shop
                code: target/shop.jar
                memory: 512
                timeout: 2m
                urlAuth: user
                env:
                  GREETING: Hi
                  DEBUG: true
                routes:
                  - method: GET
                    path: /items/{id}
                    payloadFormat: "1.0"
                    auth: token
                    cors: {allowOrigins: ["*"], maxAgeSeconds: 60}
                    throttle: {rate: 2.5, burst: 5}
                schedules:
                  - name: nightly
                    cron: "0 2 * * *"
                    timeZone: Europe/Berlin
                    payload: {keep: 7}
                    enabled: false
                    catchUp: skip
                """);
        assertThat(m.name()).isEqualTo("shop");
        assertThat(m.memory()).isEqualTo(512);
        assertThat(m.urlAuth()).isEqualTo("user");
        assertThat(m.timeoutDuration("cumulus.yaml")).isEqualTo(Duration.ofMinutes(2));
        assertThat(m.envVars()).containsExactly(new EnvVar("GREETING", "Hi"), new EnvVar("DEBUG", "true"));
        Manifest.Route route = m.routes().getFirst();
        assertThat(route.path()).isEqualTo("/items/{id}");
        assertThat(route.cors().allowOrigins()).containsExactly("*");
        assertThat(route.throttle().rate()).isEqualTo(2.5);
        assertThat(ApiClient.JSON.valueToTree(route).toString()).isEqualTo("{\"method\":\"GET\",\"path\":\"/items/{id}\","
                + "\"payloadFormat\":\"1.0\",\"auth\":\"token\",\"cors\":{\"allowOrigins\":[\"*\"],\"maxAgeSeconds\":60},"
                + "\"throttle\":{\"rate\":2.5,\"burst\":5}}");
        assertThat(ApiClient.JSON.valueToTree(m.schedules().getFirst()).toString()).isEqualTo("{\"name\":\"nightly\","
                + "\"cron\":\"0 2 * * *\",\"timeZone\":\"Europe/Berlin\",\"payload\":{\"keep\":7},\"enabled\":false,\"catchUp\":\"skip\"}");
    }

    @Test
    void leftOutRoutesAndSchedulesAreNullButAnEmptyListIsKept() throws IOException {
        Manifest none = read("cumulus.yaml", "name: a\nhandler: h\n");
        assertThat(none.routes()).isNull();
        assertThat(none.schedules()).isNull();
        Manifest empty = read("cumulus.json", "{\"name\":\"a\",\"handler\":\"h\",\"routes\":[],\"schedules\":[]}");
        assertThat(empty.routes()).isEmpty();
        assertThat(empty.schedules()).isEmpty();
    }

    @Test
    void unknownFieldsAreNamedWithTheirPlaceAndLine() {
        assertUsageError("cumulus.yaml", "name: a\nmemroy: 512\n",
                "cumulus.yaml: unknown field 'memroy' (known here: code, env, handler, memory, name, routes, runtime, schedules, "
                        + "timeout, urlAuth)");
        assertUsageError("cumulus.yaml", "name: a\nroutes:\n  - method: GET\n    path: /x\n  - methd: GET\n",
                "cumulus.yaml: unknown field 'routes[1].methd' (known here: auth, cors, method, path, payloadFormat, throttle)");
        assertUsageError("cumulus.yaml", "name: a\nroutes:\n  - method: GET\n    path: /x\n    cors: {allowOrigin: ['*']}\n",
                "cumulus.yaml: unknown field 'routes[0].cors.allowOrigin' (known here: allowCredentials, allowHeaders, "
                        + "allowMethods, allowOrigins, exposeHeaders, maxAgeSeconds)");
        assertUsageError("cumulus.json", "{\"name\":\"a\",\"schedules\":[{\"name\":\"n\",\"rate\":\"5 minutes\",\"tz\":\"UTC\"}]}",
                "cumulus.json: unknown field 'schedules[0].tz' (known here: catchUp, cron, enabled, name, payload, rate, timeZone)");
    }

    @Test
    void wrongTypesMissingFieldsAndDuplicatesAreUsageErrors() {
        assertThatThrownBy(() -> read("cumulus.yaml", "name: a\nmemory: lots\n"))
                .hasMessageStartingWith("cumulus.yaml: memory (line 2): Cannot deserialize value of type `java.lang.Integer` from String \"lots\"");
        assertThatThrownBy(() -> read("cumulus.yaml", "name: a\nschedules:\n  - name: n\n    rate: 1 hour\n    payload: 7\n"))
                .hasMessageStartingWith("cumulus.yaml: schedules[0].payload (line 5): ");
        assertUsageError("cumulus.yaml", "name: a\nname: b\n",
                "cumulus.yaml is not valid YAML (line 2): Duplicate field 'name'");
        assertThatThrownBy(() -> read("cumulus.yaml", "name: a\n  handler: h\n"))
                .hasMessageStartingWith("cumulus.yaml is not valid YAML (line 2): mapping values are not allowed here");
        assertUsageError("cumulus.json", "{\"name\": }", "cumulus.json is not valid JSON (line 1): Unexpected character ('}' (code 125)):"
                + " expected a value");
        assertUsageError("cumulus.yaml", "", "cumulus.yaml is empty (it needs at least name and handler)");
        assertUsageError("cumulus.yaml", "routes:\n  - path: /x\n", "cumulus.yaml: routes[0]: missing field 'method'");
        assertUsageError("cumulus.yaml", "routes:\n  - {method: GET, path: /x}\n  - {method: GET, path: /x}\n",
                "cumulus.yaml: routes[1]: GET /x is listed twice");
        assertUsageError("cumulus.yaml", "schedules:\n  - {name: n, cron: '0 2 * * *', rate: 1 hour}\n",
                "cumulus.yaml: schedules[0] (n) needs exactly one of cron and rate");
        assertUsageError("cumulus.yaml", "schedules:\n  - {name: n, rate: 1 hour}\n  - {name: n, rate: 2 hours}\n",
                "cumulus.yaml: schedules[1]: schedule n is listed twice");
        assertUsageError("cumulus.yaml", "env:\n  1BAD: x\n",
                "cumulus.yaml: env: '1BAD' is not a valid variable name (letters, digits and _, not starting with a digit)");
        assertUsageError("cumulus.yaml", "env:\n  EMPTY:\n", "cumulus.yaml: env.EMPTY has no value (write EMPTY: \"\" for an empty one)");
        assertUsageError("cumulus.yaml", "timeout: soon\n",
                "cumulus.yaml: timeout: 'soon' is not a duration (use e.g. 10m, 2s, 500ms, or 600 for seconds)");
        assertUsageError("cumulus.yaml", "urlAuth: users\n", "cumulus.yaml: urlAuth must be token, none or user, got users");
        assertUsageError("cumulus.yaml", "name: no spaces\n", "invalid function name 'no spaces' (1-64 characters of A-Z a-z 0-9 _ -)");
    }

    @Test
    void aFolderWithTwoManifestsIsAmbiguous() throws IOException {
        Files.writeString(dir.resolve("cumulus.yaml"), "name: a\n");
        assertThat(Manifest.find(dir)).isEqualTo(dir.resolve("cumulus.yaml"));
        Files.writeString(dir.resolve("cumulus.json"), "{}");
        assertThatThrownBy(() -> Manifest.find(dir))
                .hasMessage(dir + " holds [cumulus.yaml, cumulus.json]: keep one, or choose with --manifest FILE");
    }

    @Test
    void deployReportsABadManifestAsAUsageErrorBeforeTalkingToANode() throws IOException {
        Files.writeString(dir.resolve("cumulus.yaml"), "name: a\nhandler: h\ncode: .\nmemroy: 1\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true),
                Map.of("CUMULUS_URL", "http://127.0.0.1:9", "CUMULUS_TOKEN", "t")).withCwd(dir);

        assertThat(cli.run("deploy")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: cumulus.yaml: unknown field 'memroy' (known here: ");

        Files.writeString(dir.resolve("cumulus.yaml"), "handler: h\ncode: .\n");
        err.reset();
        assertThat(cli.run("deploy")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: cumulus.yaml has no name (set name: or give NAME)\n");

        err.reset();
        assertThat(cli.run("deploy", "--manifest", "other.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("error: --manifest " + dir.resolve("other.yaml") + ": no such file\n");
    }

    @Test
    void initRefusesBadInputAndAnOccupiedFolder() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli cli = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), Map.of()).withCwd(dir);
        Files.createDirectories(dir.resolve("taken"));
        Files.writeString(dir.resolve("taken/file"), "x");
        for (var c : List.of(
                List.of(List.of("init", "taken"), "error: taken exists already and is not an empty folder (choose another NAME or --dir)\n"),
                List.of(List.of("init", "fn", "--template", "go"),
                        "error: unknown template 'go' (use one of java, lambda-java, provided-sh, provided-python)\n"),
                List.of(List.of("init", "bad name"), "error: invalid function name 'bad name' (1-64 characters of A-Z a-z 0-9 _ -)\n"),
                List.of(List.of("init", "fn", "--package", "com.example.class"),
                        "error: --package com.example.class is not a Java package name (e.g. com.example.hello)\n"),
                List.of(List.of("init", "fn", "--template", "provided-sh", "--package", "a.b"),
                        "error: --package is for the Java templates, not provided-sh\n"))) {
            err.reset();
            @SuppressWarnings("unchecked")
            List<String> args = (List<String>) c.get(0);
            assertThat(cli.run(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(c.get(1));
        }
        assertThat(dir.resolve("fn")).doesNotExist();
    }

    @Test
    void initWritesIntoAnEmptyFolderAndDerivesAJavaPackageFromTheName() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        Cli cli = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), Map.of()).withCwd(dir);

        assertThat(cli.run("init", "2fast-Fn", "--dir", "empty")).isZero();
        assertThat(dir.resolve("empty/src/main/java/com/example/fn2fastfn/Handler.java")).content()
                .startsWith("package com.example.fn2fastfn;");
        assertThat(dir.resolve("empty/cumulus.yaml")).content().contains("name: 2fast-Fn\n")
                .contains("handler: com.example.fn2fastfn.Handler\n").contains("code: target/2fast-Fn.jar\n");
        assertThat(Manifest.read(dir.resolve("empty/cumulus.yaml")).routes()).as("routes are only an example").isNull();
        assertThat(ProjectTemplate.defaultPackage("class")).isEqualTo("com.example.fnclass");
        assertThatThrownBy(() -> ProjectTemplate.fill("{{nope}}", Map.of())).hasMessage("template placeholder {{nope}} has no value");
    }
}
