package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {"Upload a code package and create or update a function.",
                "Without --code, deploys the project in the current folder as its cumulus.yaml (or",
                "cumulus.json, or --manifest FILE) says: builds it (Maven: ./mvnw, else mvn, package",
                "-DskipTests; a folder is zipped), deploys it, then makes the function's routes and",
                "schedules the manifest's when it lists them. Options given here win over the manifest.",
                "Settings left out keep their current values on update (server defaults on create)."})
final class DeployCommand implements Callable<Integer> {
    static final long PROGRESS_THRESHOLD = 1024 * 1024;

    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
            description = "Function name (1-64 of A-Z a-z 0-9 _ -). Required unless a manifest names it.")
    String name;

    @Option(names = "--code", paramLabel = "PATH",
            description = "The code package (jar or zip). Without it, the manifest's code (built first).")
    Path code;

    @Option(names = "--handler", paramLabel = "HANDLER",
            description = "Handler, e.g. com.example.Hello. Required unless a manifest names it.")
    String handler;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "The manifest to deploy from. Default without --code: cumulus.yaml or cumulus.json here.")
    Path manifestFile;

    @Option(names = "--runtime", paramLabel = "RUNTIME", description = "java25 (default on create) or provided.")
    String runtime;

    @Option(names = "--memory", paramLabel = "MB", description = "Memory in MB (128..10240).")
    Integer memoryMb;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Invocation timeout, e.g. 30 or 30s or 5m (1s..900s).")
    Duration timeout;

    @Option(names = "--env", paramLabel = "KEY=VALUE", converter = EnvVar.Converter.class,
            description = "Environment variable; repeat for more. Replaces the whole environment when given.")
    List<EnvVar> env = new ArrayList<>();

    @Option(names = "--max-instances", paramLabel = "N", description = "Most instances at once (1..1000).")
    Integer maxInstances;

    @Option(names = "--concurrency", paramLabel = "N", description = "Invocations per instance at once (1..1000).")
    Integer concurrency;

    @Option(names = "--keep-alive", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "How long an idle instance stays warm, e.g. 600 or 10m (0..86400s).")
    Duration keepAlive;

    @Option(names = "--provisioned", paramLabel = "N",
            description = "Instances kept warm at all times, even without traffic (0..max instances).")
    Integer provisioned;

    @Option(names = "--public", negatable = true,
            description = "Whether the function URL /fn/NAME/ answers without a token (--no-public to revoke).")
    Boolean isPublic;

    @Option(names = "--url-auth", paramLabel = "token|none|user",
            description = "Who may call the function URL /fn/NAME/: token (the node's principals, the default), "
                    + "none (anyone, as --public), user (the project's signed-in end users: an access token from "
                    + "/v1/projects/P/auth/login, checked before the function runs; the function sees the user).")
    String urlAuth;

    @Option(names = "--mount", paramLabel = "SOURCE:TARGET[:rw]",
            description = "Grant a host path, bound at TARGET (under /mnt/) in the sandbox, read-only unless :rw; repeatable. "
                    + "Replaces the function's mounts; --mount none removes them.")
    List<String> mounts = new ArrayList<>();

    @Option(names = "--role", paramLabel = "ROLE",
            description = "The execution role (cumulus roles create) whose rights each invocation carries; "
                    + "--role none removes it. Without a role a function can call nothing.")
    String role;

    DeployCommand(Cli cli) {
        this.cli = cli;
    }

    /** The PUT body: only what was given, plus the code hash. */
    ObjectNode settings(String codeSha256) {
        ObjectNode body = ApiClient.JSON.createObjectNode();
        if (runtime != null) {
            body.put("runtime", runtime);
        }
        body.put("handler", handler);
        if (memoryMb != null) {
            body.put("memoryMb", memoryMb);
        }
        if (timeout != null) {
            body.put("timeoutSeconds", Durations.toWholeSeconds(timeout, "--timeout"));
        }
        if (!env.isEmpty()) {
            ObjectNode e = body.putObject("environment");
            for (Map.Entry<String, String> kv : EnvVar.toMap(env).entrySet()) {
                e.put(kv.getKey(), kv.getValue());
            }
        }
        if (maxInstances != null) {
            body.put("maxInstances", maxInstances);
        }
        if (concurrency != null) {
            body.put("concurrency", concurrency);
        }
        if (keepAlive != null) {
            body.put("keepAliveSeconds", Durations.toWholeSeconds(keepAlive, "--keep-alive"));
        }
        if (urlAuth != null) {
            if (!List.of("token", "none", "user").contains(urlAuth)) {
                throw CliException.usage("--url-auth must be token, none or user, got " + urlAuth);
            }
            if (isPublic != null && isPublic != urlAuth.equals("none")) {
                throw CliException.usage("--public and --url-auth " + urlAuth + " disagree: give one of them");
            }
            body.put("urlAuth", urlAuth);
        } else if (isPublic != null) {
            body.put("public", isPublic);
        }
        if (provisioned != null) {
            body.put("provisionedConcurrency", provisioned);
        }
        if (!mounts.isEmpty()) {
            var list = body.putArray("mounts");
            if (!(mounts.size() == 1 && mounts.getFirst().equals("none"))) {
                for (String mount : mounts) {
                    String[] parts = mount.split(":");
                    if (parts.length < 2 || parts.length > 3 || (parts.length == 3 && !parts[2].equals("rw") && !parts[2].equals("ro"))) {
                        throw CliException.usage("--mount must be SOURCE:TARGET or SOURCE:TARGET:rw, got " + mount);
                    }
                    list.addObject().put("source", cli.cwd.resolve(parts[0]).normalize().toString()).put("target", parts[1])
                            .put("writable", parts.length == 3 && parts[2].equals("rw"));
                }
            }
        }
        if (role != null) {
            if (role.equals("none")) {
                body.putNull("role");
            } else {
                body.put("role", role);
            }
        }
        if (codeSha256 != null) {
            body.put("codeSha256", codeSha256);
        }
        return body;
    }

    @Override
    public Integer call() throws Exception {
        if (code == null || manifestFile != null) {
            return fromManifest();
        }
        if (name == null) {
            throw CliException.usage("missing NAME (or deploy from a manifest: leave out --code)");
        }
        if (handler == null) {
            throw CliException.usage("missing --handler (or deploy from a manifest: leave out --code)");
        }
        deploy(cli.client(client), cli.cwd.resolve(code), "--code " + code);
        return 0;
    }

    /**
     * Deploys what the manifest describes: the options given keep their values, the others take
     * the manifest's; then the manifest's routes and schedules.
     */
    private int fromManifest() throws Exception {
        Path file = manifestFile != null ? cli.cwd.resolve(manifestFile) : Manifest.find(cli.cwd);
        Path project = file.toAbsolutePath().getParent();
        String label = file.getFileName().toString();
        Manifest m = Manifest.read(file);
        if (name == null) name = m.name();
        if (handler == null) handler = m.handler();
        if (runtime == null) runtime = m.runtime();
        if (memoryMb == null) memoryMb = m.memory();
        if (timeout == null && m.timeout() != null) timeout = m.timeoutDuration(label);
        if (env.isEmpty()) env = m.envVars();
        if (urlAuth == null && isPublic == null) urlAuth = m.urlAuth();
        if (name == null) {
            throw CliException.usage(label + " has no name (set name: or give NAME)");
        }
        Names.check(name);
        if (handler == null) {
            throw CliException.usage(label + " has no handler (set handler: or give --handler)");
        }
        if (code == null && m.code() == null) {
            throw CliException.usage(label + " has no code (set code: to the jar the build makes, or . for this folder; or give --code)");
        }
        settings(null);
        ApiClient api = cli.client(client);
        ManifestTriggers triggers = new ManifestTriggers(api, name, cli.out);
        triggers.checkSchedules(m.schedules()); // before a long build, and before anything changes

        if (code != null) {
            deploy(api, cli.cwd.resolve(code), "--code " + code);
        } else {
            Path built = project.resolve(m.code()).normalize();
            if (Files.isDirectory(built)) {
                Path zip = Files.createTempFile("cumulus-deploy-", ".zip");
                try {
                    CodePackage.zipFolder(built, zip);
                    deploy(api, zip, label + " code " + m.code());
                } finally {
                    Files.deleteIfExists(zip);
                }
            } else {
                if (Files.isRegularFile(project.resolve("pom.xml"))) {
                    CodePackage.mavenBuild(cli, project);
                }
                deploy(api, built, label + " code " + m.code());
            }
        }
        triggers.routes(m.routes());
        triggers.schedules(m.schedules());
        cli.out.flush();
        return 0;
    }

    /** Uploads {@code file} and creates or updates the function with it; {@code what} names the file in errors. */
    private void deploy(ApiClient api, Path file, String what) throws Exception {
        Names.check(name);
        if (!Files.isRegularFile(file)) {
            throw CliException.usage(what + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw CliException.usage(what + ": permission denied");
        }
        settings(null); // check the settings (e.g. duplicate --env) before uploading anything

        BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw CliException.usage(what + ": no such file");
        }
        if (body.contentLength() > PROGRESS_THRESHOLD || cli.errTerminal) {
            body = new ProgressPublisher(body, file.getFileName().toString(), cli.err, cli.errTerminal);
        }
        JsonNode uploaded = api.json(api.request("/v1/code")
                .header("Content-Type", "application/zip")
                .POST(body)
                .build());
        String sha = uploaded.path("sha256").asText(null);
        if (sha == null) {
            throw new CliException("the node answered the upload without a sha256");
        }

        JsonNode fn = api.send("PUT", "/v1/functions/" + ApiClient.segment(name), settings(sha));
        JsonNode codeInfo = fn == null ? null : fn.get("code");
        String shownSha = codeInfo != null ? codeInfo.path("sha256").asText(sha) : sha;
        long size = codeInfo != null && codeInfo.has("sizeBytes") ? codeInfo.get("sizeBytes").asLong()
                : uploaded.path("sizeBytes").asLong(Files.size(file));
        String shownHandler = fn != null ? fn.path("handler").asText(handler) : handler;
        cli.out.printf("deployed %s: handler %s, code %s (%s)%n", name, shownHandler, Text.shortSha(shownSha), Text.bytes(size));
        cli.out.flush();
    }
}
