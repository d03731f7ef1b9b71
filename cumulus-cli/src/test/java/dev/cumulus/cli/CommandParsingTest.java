package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class CommandParsingTest {
    private final Cli cli = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), Map.of());

    @SuppressWarnings("unchecked")
    private <T> T parse(String... args) {
        ParseResult root = cli.commandLine().parseArgs(args);
        ParseResult sub = root.subcommand();
        assertThat(sub).as("a subcommand").isNotNull();
        return (T) sub.commandSpec().userObject();
    }

    private void assertConfigRefused(String message, String... args) {
        ServeCommand serve = parse(args);
        assertThatThrownBy(serve::config).isInstanceOfSatisfying(CliException.class,
                e -> assertThat(e.exitCode()).isEqualTo(CliException.USAGE)).hasMessageContaining(message);
    }

    private static void assertUsageError(Cli cli, String... args) {
        assertThatThrownBy(() -> cli.commandLine().parseArgs(args)).isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void serveDefaultsAndOptions() {
        ServeCommand d = parse("serve");
        assertThat(d.port).isEqualTo(8080);
        assertThat(d.host).isNull();
        assertThat(d.dataDir).isNull();
        assertThat(d.keepAlive).isNull();
        assertThat(d.sandbox).isEqualTo("bwrap");

        ServeCommand s = parse("serve", "--port", "9000", "--host", "0.0.0.0", "--data", "/tmp/d", "--keep-alive", "2s",
                "--db", "jdbc:postgresql://db/cumulus", "--sandbox", "none-i-trust-all-code");
        assertThat(s.port).isEqualTo(9000);
        assertThat(s.host).isEqualTo("0.0.0.0");
        assertThat(s.dataDir).isEqualTo(Path.of("/tmp/d"));
        assertThat(s.keepAlive).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.jdbcUrl).isEqualTo("jdbc:postgresql://db/cumulus");
        assertThat(s.sandbox).isEqualTo("none-i-trust-all-code");

        ServeCommand alias = parse("serve", "--data-dir", "x", "--keep-alive", "600");
        assertThat(alias.dataDir).isEqualTo(Path.of("x"));
        assertThat(alias.keepAlive).isEqualTo(Duration.ofMinutes(10));

        assertConfigRefused("must be bwrap or none-i-trust-all-code", "serve", "--sandbox", "docker");
        assertConfigRefused("--sandbox process no longer exists", "serve", "--sandbox", "process");
        assertConfigRefused("--sandbox auto no longer exists", "serve", "--sandbox", "auto");
        assertConfigRefused("go together", "serve", "--tls-cert", "c.pem");
        assertConfigRefused("contradicts", "serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--insecure-http");
        assertUsageError(cli, "serve", "--port", "http");
        assertUsageError(cli, "serve", "--keep-alive", "soon");
    }

    @Test
    void serveConfigFromOptions() {
        ServeCommand s = parse("serve", "--port", "0", "--data", "nodes/a", "--keep-alive", "2s", "--sandbox", "bwrap");
        var config = s.config();
        assertThat(config.port()).isZero();
        assertThat(config.dataDir()).isEqualTo(cli.cwd.resolve("nodes/a"));
        assertThat(config.defaultKeepAlive()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.sandbox()).isEqualTo("bwrap");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.jdbcUrl()).isNull();
        assertThat(config.tls()).isEqualTo(dev.cumulus.edge.EdgeTls.DEFAULT);
        assertThat(this.<ServeCommand>parse("serve", "--tls-cert", "c.pem", "--tls-key", "k.pem").config().tls())
                .isEqualTo(new dev.cumulus.edge.EdgeTls(cli.cwd.resolve("c.pem"), cli.cwd.resolve("k.pem"), false));
        assertThat(this.<ServeCommand>parse("serve", "--host", "0.0.0.0", "--insecure-http").config().tls().insecureHttp()).isTrue();

        assertThat(config.maxCodeBytes()).isEqualTo(50L * 1024 * 1024);
        assertThat(config.maxInstances()).isEqualTo(64);
        ServeCommand limited = parse("serve", "--max-code-mb", "5", "--max-instances", "8");
        var limits = limited.config();
        assertThat(limits.maxCodeBytes()).isEqualTo(5L * 1024 * 1024);
        assertThat(limits.maxInstances()).isEqualTo(8);
        ServeCommand badSize = parse("serve", "--max-code-mb", "0");
        assertThatThrownBy(badSize::config).isInstanceOf(CliException.class).hasMessageContaining("--max-code-mb");

        ServeCommand bad = parse("serve", "--port", "70000");
        assertThatThrownBy(bad::config).isInstanceOf(CliException.class).hasMessageContaining("--port");
        ServeCommand badDb = parse("serve", "--db", "postgres://x");
        assertThatThrownBy(badDb::config).isInstanceOf(CliException.class).hasMessageContaining("JDBC");
    }

    @Test
    void serveRegion() {
        ServeCommand plain = parse("serve");
        ServeCommand west = parse("serve", "--region", "eu-west-1");
        assertThat(plain.config().region()).isEqualTo("us-east-1");
        assertThat(west.config().region()).isEqualTo("eu-west-1");
        ServeCommand bad = parse("serve", "--region", "Mars Base");
        assertThatThrownBy(bad::config).isInstanceOf(CliException.class).hasMessageContaining("--region");
    }

    @Test
    void serveBlobStore() {
        ServeCommand plain = parse("serve");
        assertThat(plain.config().blobStore()).as("files under the data dir").isNull();
        Cli withKeys = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                Map.of("AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "secret"));
        ServeCommand shared = (ServeCommand) withKeys.commandLine().parseArgs("serve", "--blob-store",
                "s3://blobs/node-a?endpoint=http://minio:9000").subcommand().commandSpec().userObject();
        assertThat(shared.config().blobStore()).hasToString("s3://blobs/node-a/ at http://minio:9000");
        // no credentials in the environment: refused, never files instead
        ServeCommand noKeys = parse("serve", "--blob-store", "s3://blobs?endpoint=http://minio:9000");
        assertThatThrownBy(noKeys::config).isInstanceOf(CliException.class)
                .hasMessageContaining("--blob-store").hasMessageContaining("AWS_ACCESS_KEY_ID");
        ServeCommand notS3 = parse("serve", "--blob-store", "/var/blobs");
        assertThatThrownBy(notS3::config).isInstanceOf(CliException.class).hasMessageContaining("s3://BUCKET");
    }

    @Test
    void serveClusterBus() {
        assertThat(this.<ServeCommand>parse("serve").config().clusterBus()).as("a node alone").isNull();
        assertThat(this.<ServeCommand>parse("serve", "--cluster-bus", "nats://127.0.0.1:4222").config().clusterBus())
                .isEqualTo("nats://127.0.0.1:4222");
        ServeCommand notNats = parse("serve", "--cluster-bus", "127.0.0.1:4222");
        assertThatThrownBy(notNats::config).isInstanceOf(CliException.class).hasMessageContaining("--cluster-bus")
                .hasMessageContaining("nats://");
        ServeCommand http = parse("serve", "--cluster-bus", "http://127.0.0.1:4222");
        assertThatThrownBy(http::config).isInstanceOf(CliException.class).hasMessageContaining("--cluster-bus");
    }

    @Test
    void deployAllOptions() {
        DeployCommand d = parse("deploy", "hello", "--code", "build/hello.jar", "--handler", "com.example.Hello",
                "--runtime", "java25", "--memory", "512", "--timeout", "60", "--env", "A=1", "--env", "B=x=y",
                "--max-instances", "3", "--concurrency", "2", "--keep-alive", "5m", "--public",
                "--provisioned", "2", "--url", "http://h:1", "--token", "t", "--data-dir", "dd");
        assertThat(d.name).isEqualTo("hello");
        assertThat(d.code).isEqualTo(Path.of("build/hello.jar"));
        assertThat(d.handler).isEqualTo("com.example.Hello");
        assertThat(d.runtime).isEqualTo("java25");
        assertThat(d.memoryMb).isEqualTo(512);
        assertThat(d.timeout).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.env).containsExactly(new EnvVar("A", "1"), new EnvVar("B", "x=y"));
        assertThat(d.maxInstances).isEqualTo(3);
        assertThat(d.concurrency).isEqualTo(2);
        assertThat(d.keepAlive).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.isPublic).isTrue();
        assertThat(d.provisioned).isEqualTo(2);
        assertThat(d.client.url).isEqualTo("http://h:1");
        assertThat(d.client.token).isEqualTo("t");
        assertThat(d.client.dataDir).isEqualTo(Path.of("dd"));

        var body = d.settings("abc");
        assertThat(body.toString()).isEqualTo("{\"runtime\":\"java25\",\"handler\":\"com.example.Hello\",\"memoryMb\":512,"
                + "\"timeoutSeconds\":60,\"environment\":{\"A\":\"1\",\"B\":\"x=y\"},\"maxInstances\":3,\"concurrency\":2,"
                + "\"keepAliveSeconds\":300,\"public\":true,\"provisionedConcurrency\":2,\"codeSha256\":\"abc\"}");
    }

    @Test
    void deploySendsOnlyWhatWasGiven() {
        DeployCommand d = parse("deploy", "hello", "--code", "h.jar", "--handler", "H");
        assertThat(d.settings("abc").toString()).isEqualTo("{\"handler\":\"H\",\"codeSha256\":\"abc\"}");
        DeployCommand p = parse("deploy", "hello", "--code", "h.jar", "--handler", "H", "--no-public");
        assertThat(p.isPublic).isFalse();
    }

    @Test
    void deployWithCodeNeedsNameAndHandlerAndWithoutItAManifest(@TempDir Path empty) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Cli here = new Cli(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true), Map.of()).withCwd(empty);
        assertThat(here.run("deploy", "hello", "--code", "h.jar")).isEqualTo(CliException.USAGE);
        assertThat(err.toString()).isEqualTo("error: missing --handler (or deploy from a manifest: leave out --code)\n");
        err.reset();
        assertThat(here.run("deploy", "--code", "h.jar", "--handler", "H")).isEqualTo(CliException.USAGE);
        assertThat(err.toString()).isEqualTo("error: missing NAME (or deploy from a manifest: leave out --code)\n");
        err.reset();
        assertThat(here.run("deploy", "hello", "--handler", "H")).isEqualTo(CliException.USAGE);
        assertThat(err.toString()).startsWith("error: no --code given and no cumulus.yaml or cumulus.yml or cumulus.json in " + empty);
    }

    @Test
    void deployUsageErrors() {
        assertUsageError(cli, "deploy", "hello", "--code", "h.jar", "--handler", "H", "--env", "NOEQUALS");
        assertUsageError(cli, "deploy", "hello", "--code", "h.jar", "--handler", "H", "--memory", "lots");
        assertUsageError(cli, "deploy", "hello", "--code", "h.jar", "--handler", "H", "--provisioned", "some");
        DeployCommand sub = parse("deploy", "hello", "--code", "h.jar", "--handler", "H", "--timeout", "1500ms");
        assertThatThrownBy(() -> sub.settings("x")).isInstanceOf(CliException.class).hasMessageContaining("whole seconds");
        DeployCommand dup = parse("deploy", "hello", "--code", "h.jar", "--handler", "H", "--env", "A=1", "--env", "A=2");
        assertThatThrownBy(() -> dup.settings("x")).isInstanceOf(CliException.class).hasMessageContaining("--env A is given twice");
    }

    @Test
    void invoke() {
        InvokeCommand i = parse("invoke", "hello:3", "--data", "{\"a\":1}");
        assertThat(i.function).isEqualTo("hello:3");
        assertThat(i.data).isEqualTo("{\"a\":1}");
        InvokeCommand f = parse("invoke", "hello", "-d", "@event.json");
        assertThat(f.data).isEqualTo("@event.json");
        InvokeCommand none = parse("invoke", "hello");
        assertThat(none.data).isNull();
        assertUsageError(cli, "invoke");
    }

    @Test
    void simpleCommands() {
        LsCommand ls = parse("ls", "--url", "http://x:1");
        assertThat(ls.client.url).isEqualTo("http://x:1");
        RmCommand rm = parse("rm", "hello");
        assertThat(rm.name).isEqualTo("hello");
        assertThat(rm.cascade).isFalse();
        assertThat(((RmCommand) parse("rm", "hello", "--cascade")).cascade).isTrue();
        PublishCommand pub = parse("publish", "hello");
        assertThat(pub.name).isEqualTo("hello");
        VersionsCommand v = parse("versions", "hello");
        assertThat(v.name).isEqualTo("hello");
        assertThat((Object) parse("doctor")).isInstanceOf(DoctorCommand.class);
        assertUsageError(cli, "rm");
        assertUsageError(cli, "rm", "a", "b");
        assertUsageError(cli, "ls", "extra");
    }

    @Test
    void logs() {
        LogsCommand l = parse("logs", "hello", "--follow", "--limit", "50");
        assertThat(l.follow).isTrue();
        assertThat(l.limit).isEqualTo(50);
        assertThat(l.path()).isEqualTo("/v1/functions/hello/logs?limit=50&follow=true");
        LogsCommand plain = parse("logs", "hello");
        assertThat(plain.path()).isEqualTo("/v1/functions/hello/logs");
        LogsCommand shortFlags = parse("logs", "hello", "-f");
        assertThat(shortFlags.path()).isEqualTo("/v1/functions/hello/logs?follow=true");
    }

    @Test
    void usage() {
        UsageCommand u = parse("usage", "--from", "2025-01-01", "--to", "2025-01-31T12:00:00Z");
        assertThat(u.from).isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(u.to).isEqualTo(Instant.parse("2025-01-31T12:00:00Z"));
        assertThat(u.path()).isEqualTo("/v1/usage?from=2025-01-01T00%3A00%3A00Z&to=2025-01-31T12%3A00%3A00Z");
        UsageCommand none = parse("usage");
        assertThat(none.path()).isEqualTo("/v1/usage");
        assertUsageError(cli, "usage", "--from", "yesterday");
    }

    @Test
    void verboseIsAcceptedAnywhere() {
        assertThat((Object) parse("--verbose", "ls")).isInstanceOf(LsCommand.class);
        assertThat((Object) parse("ls", "--verbose")).isInstanceOf(LsCommand.class);
    }

    /** Runs the command as the process does (only the named subcommand is in the tree) and returns its output. */
    private static String[] run(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Cli(new PrintStream(out, true), new PrintStream(err, true), Map.of()).run(args);
        assertThat(exit).as("exit of %s, stderr: %s", String.join(" ", args), err).isEqualTo(expectedExit);
        return new String[] {out.toString(), err.toString()};
    }

    @Test
    void helpListsEveryCommandWhileANamedCommandIsParsedAlone() {
        String help = run(0, "--help")[0];
        for (Class<?> command : Main.COMMANDS) {
            assertThat(help).contains("  " + command.getAnnotation(CommandLine.Command.class).name() + " ");
        }
        assertThat(run(0, "help", "deploy")[0]).contains("Usage: cumulus deploy");
        assertThat(run(0, "--verbose", "routes", "--help")[0]).contains("Usage: cumulus routes");
        assertThat(run(0, "serve", "--help")[0]).contains("Usage: cumulus serve").contains("--keep-alive");
        assertThat(run(CliException.USAGE, "serv")[1]).contains("error: ").contains("'serv'");
        assertThat(run(CliException.USAGE, "serve", "--port", "70000")[1]).contains("--port must be 0..65535");
    }

    @SuppressWarnings("unchecked")
    private <T> T parseNested(String... args) {
        ParseResult root = cli.commandLine().parseArgs(args);
        return (T) root.subcommand().subcommand().commandSpec().userObject();
    }

    @Test
    void routesAddBuildsTheRouteBody() {
        RoutesCommand.Add add = parseNested("routes", "add", "get", "/users/{id}", "users:2", "--cors-origin", "https://a.example",
                "--cors-method", "GET", "--cors-header", "content-type", "--cors-max-age", "600", "--cors-credentials",
                "--rate", "5", "--burst", "10", "--payload-format", "1.0", "--auth", "token");
        var body = add.body();
        assertThat(body.get("method").asText()).isEqualTo("get");
        assertThat(body.get("path").asText()).isEqualTo("/users/{id}");
        assertThat(body.get("function").asText()).isEqualTo("users:2");
        assertThat(body.get("payloadFormat").asText()).isEqualTo("1.0");
        assertThat(body.get("auth").asText()).isEqualTo("token");
        assertThat(body.get("cors").get("allowOrigins").get(0).asText()).isEqualTo("https://a.example");
        assertThat(body.get("cors").get("maxAgeSeconds").asInt()).isEqualTo(600);
        assertThat(body.get("cors").get("allowCredentials").asBoolean()).isTrue();
        assertThat(body.get("throttle").get("rate").asDouble()).isEqualTo(5.0);
        assertThat(body.get("throttle").get("burst").asInt()).isEqualTo(10);

        RoutesCommand.Add bare = parseNested("routes", "add", "ANY", "/{proxy+}", "site");
        assertThat(bare.body().has("cors")).isFalse();
        assertThat(bare.body().has("throttle")).isFalse();
        RoutesCommand.Add rateOnly = parseNested("routes", "add", "GET", "/x", "f", "--rate", "1");
        assertThatThrownBy(rateOnly::body).isInstanceOf(CliException.class).hasMessageContaining("--burst");
        RoutesCommand.Add corsWithoutOrigin = parseNested("routes", "add", "GET", "/x", "f", "--cors-max-age", "5");
        assertThatThrownBy(corsWithoutOrigin::body).isInstanceOf(CliException.class).hasMessageContaining("--cors-origin");
        assertUsageError(cli, "routes", "add", "GET", "/x");
        assertUsageError(cli, "routes", "rm");
    }

    @Test
    void schedulesAddBuildsTheScheduleBody() {
        SchedulesCommand.Add cron = parseNested("schedules", "add", "nightly", "--function", "backup", "--cron", "0 2 * * *",
                "--tz", "Europe/Berlin", "--payload", "{\"keep\":7}", "--disabled", "--catch-up", "skip");
        var body = cron.body();
        assertThat(body.get("name").asText()).isEqualTo("nightly");
        assertThat(body.get("cron").asText()).isEqualTo("0 2 * * *");
        assertThat(body.has("rate")).isFalse();
        assertThat(body.get("timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(body.get("payload").get("keep").asInt()).isEqualTo(7);
        assertThat(body.get("enabled").asBoolean()).isFalse();
        assertThat(body.get("catchUp").asText()).isEqualTo("skip");

        SchedulesCommand.Add rate = parseNested("schedules", "add", "often", "--function", "f", "--rate", "5 minutes");
        assertThat(rate.body().get("rate").asText()).isEqualTo("5 minutes");
        assertThat(rate.body().has("enabled")).isFalse();

        SchedulesCommand.Add badPayload = parseNested("schedules", "add", "x", "--function", "f", "--rate", "1 day", "--payload", "[1]");
        assertThatThrownBy(badPayload::body).isInstanceOf(CliException.class).hasMessageContaining("JSON object");
        assertUsageError(cli, "schedules", "add", "x", "--function", "f");
        assertUsageError(cli, "schedules", "add", "x", "--function", "f", "--cron", "* * * * *", "--rate", "1 day");
        assertUsageError(cli, "schedules", "add", "x", "--cron", "* * * * *");
    }

    @Test
    void deployMountsAreGrantsWithAbsoluteSources() {
        DeployCommand deploy = parse("deploy", "backup", "--code", "f.jar", "--handler", "a.B",
                "--mount", "/data/cumulus.db:/mnt/store/cumulus.db", "--mount", "backups:/mnt/backups:rw");
        var mounts = deploy.settings(null).get("mounts");
        assertThat(mounts.get(0).get("source").asText()).isEqualTo("/data/cumulus.db");
        assertThat(mounts.get(0).get("writable").asBoolean()).isFalse();
        assertThat(Path.of(mounts.get(1).get("source").asText())).isEqualTo(Path.of("").toAbsolutePath().resolve("backups"));
        assertThat(mounts.get(1).get("writable").asBoolean()).isTrue();
        DeployCommand none = parse("deploy", "backup", "--code", "f.jar", "--handler", "a.B", "--mount", "none");
        assertThat(none.settings(null).get("mounts")).isEmpty();
        DeployCommand bad = parse("deploy", "backup", "--code", "f.jar", "--handler", "a.B", "--mount", "/x");
        assertThatThrownBy(() -> bad.settings(null)).isInstanceOf(CliException.class);
    }

    @Test
    void deployRoleIsSetClearedOrLeftAlone() {
        DeployCommand role = parse("deploy", "f", "--handler", "a.B", "--role", "orders");
        DeployCommand none = parse("deploy", "f", "--handler", "a.B", "--role", "none");
        DeployCommand absent = parse("deploy", "f", "--handler", "a.B");
        assertThat(role.settings(null).get("role").asText()).isEqualTo("orders");
        assertThat(none.settings(null).get("role").isNull()).isTrue();
        assertThat(absent.settings(null).has("role")).isFalse();
    }

    @Test
    void deployUrlAuthIsSentAsGivenAndChecked() {
        DeployCommand user = parse("deploy", "f", "--handler", "a.B", "--url-auth", "user");
        assertThat(user.settings(null).get("urlAuth").asText()).isEqualTo("user");
        assertThat(user.settings(null).has("public")).isFalse();
        DeployCommand open = parse("deploy", "f", "--handler", "a.B", "--url-auth", "none", "--public");
        assertThat(open.settings(null).get("urlAuth").asText()).isEqualTo("none");
        DeployCommand typo = parse("deploy", "f", "--handler", "a.B", "--url-auth", "users");
        assertThatThrownBy(() -> typo.settings(null)).isInstanceOf(CliException.class).hasMessageContaining("--url-auth");
        DeployCommand clash = parse("deploy", "f", "--handler", "a.B", "--url-auth", "user", "--public");
        assertThatThrownBy(() -> clash.settings(null)).isInstanceOf(CliException.class).hasMessageContaining("disagree");
    }

    @Test
    void sourcesAdd() {
        CommandLine.ParseResult parsed = cli.commandLine().parseArgs("sources", "add", "s", "--function", "f",
                "--type", "nats", "--url", "nats://h:4222", "--stream", "S", "--subject", "s.>");
        SourcesCommand.Add add = (SourcesCommand.Add) parsed.subcommand().subcommand().commandSpec().userObject();
        assertThat(add.body()).containsEntry("stream", "S").containsEntry("subject", "s.>").containsEntry("type", "nats")
                .doesNotContainKeys("topic", "queue", "ordered", "batchSize");
        assertUsageError(cli, "sources", "add", "s", "--function", "f", "--type", "mqtt", "--url", "mqtt://h");
        assertUsageError(cli, "sources", "add", "s", "--function", "f", "--type", "kafka", "--url", "x", "--topic", "t");
        SourcesCommand.Add mqtt = (SourcesCommand.Add) cli.commandLine().parseArgs("sources", "add", "s", "--function",
                "f", "--type", "mqtt", "--url", "mqtt://h", "--topic", "a/#", "--ordered", "--batch-size", "5",
                "--node-url", "http://node:8080").subcommand().subcommand().commandSpec().userObject();
        assertThat(mqtt.body()).containsEntry("url", "mqtt://h").containsEntry("ordered", true)
                .containsEntry("batchSize", 5);
        assertThat(mqtt.nodeUrl).isEqualTo("http://node:8080");
    }

    @Test
    void topicsSubscribeBuildsTheFilterAndChecksIt() {
        TopicsCommand.Subscribe sub = (TopicsCommand.Subscribe) cli.commandLine().parseArgs("topics", "subscribe", "alerts",
                "--function", "notify:live", "--filter", "type=alert.raised,subject-prefix=sensors/", "--filter",
                "source=/functions/iot-alert", "--payload-format", "cloudevents")
                .subcommand().subcommand().commandSpec().userObject();
        assertThat(sub.body()).containsEntry("function", "notify:live").containsEntry("payloadFormat", "cloudevents")
                .containsEntry("filter", Map.of("type", "alert.raised", "subjectPrefix", "sensors/",
                        "source", "/functions/iot-alert"));
        TopicsCommand.Subscribe bare = (TopicsCommand.Subscribe) cli.commandLine().parseArgs("topics", "subscribe", "t",
                "--function", "f").subcommand().subcommand().commandSpec().userObject();
        assertThat(bare.body()).containsOnlyKeys("function");
        assertUsageError(cli, "topics", "subscribe", "t");
        for (String bad : new String[] {"kind=x", "type", "type=", "=x", "type=a,type=b"}) {
            TopicsCommand.Subscribe s = (TopicsCommand.Subscribe) cli.commandLine().parseArgs("topics", "subscribe", "t",
                    "--function", "f", "--filter", bad).subcommand().subcommand().commandSpec().userObject();
            assertThatThrownBy(s::body).as(bad).isInstanceOf(CliException.class);
        }
        TopicsCommand.Subscribe xml = (TopicsCommand.Subscribe) cli.commandLine().parseArgs("topics", "subscribe", "t",
                "--function", "f", "--payload-format", "xml").subcommand().subcommand().commandSpec().userObject();
        assertThatThrownBy(xml::body).isInstanceOf(CliException.class).hasMessageContaining("raw or cloudevents");
    }

    @Test
    void topicsPublishPutsTheAttributesInTheQuery() {
        TopicsCommand.Publish publish = (TopicsCommand.Publish) cli.commandLine().parseArgs("topics", "publish", "alerts",
                "--data", "{}", "--type", "alert.raised", "--subject", "sensors/s 1", "--id", "e-1")
                .subcommand().subcommand().commandSpec().userObject();
        assertThat(publish.pathAndQuery()).isEqualTo("/v1/topics/alerts/events?type=alert.raised&subject=sensors%2Fs+1&id=e-1");
        assertUsageError(cli, "topics", "publish", "alerts");
        assertUsageError(cli, "topics", "unsubscribe", "alerts");
    }
}
