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
                "Settings left out keep their current values on update (server defaults on create)."})
final class DeployCommand implements Callable<Integer> {
    static final long PROGRESS_THRESHOLD = 1024 * 1024;

    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "Function name (1-64 of A-Z a-z 0-9 _ -).")
    String name;

    @Option(names = "--code", required = true, paramLabel = "PATH", description = "The code package (jar or zip).")
    Path code;

    @Option(names = "--handler", required = true, paramLabel = "HANDLER", description = "Handler, e.g. com.example.Hello.")
    String handler;

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

    @Option(names = "--mount", paramLabel = "SOURCE:TARGET[:rw]",
            description = "Grant a host path, bound at TARGET (under /mnt/) in the sandbox, read-only unless :rw; repeatable. "
                    + "Replaces the function's mounts; --mount none removes them.")
    List<String> mounts = new ArrayList<>();

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
        if (isPublic != null) {
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
        if (codeSha256 != null) {
            body.put("codeSha256", codeSha256);
        }
        return body;
    }

    @Override
    public Integer call() throws Exception {
        Names.check(name);
        Path file = cli.cwd.resolve(code);
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("--code " + code + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        if (!Files.isReadable(file)) {
            throw CliException.usage("--code " + code + ": permission denied");
        }
        settings(null); // check the settings (e.g. duplicate --env) before uploading anything

        ApiClient api = cli.client(client);
        BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw CliException.usage("--code " + code + ": no such file");
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
        return 0;
    }
}
