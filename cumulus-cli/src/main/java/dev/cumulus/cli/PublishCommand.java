package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish an immutable version from the function's current code and settings ($LATEST).")
final class PublishCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    PublishCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Names.check(name);
        JsonNode v = cli.client(client).send("POST", "/v1/functions/" + ApiClient.segment(name) + "/versions", null);
        String version = v == null ? "?" : v.path("version").asText("?");
        String sha = v == null ? null : v.path("code").path("sha256").asText(null);
        cli.out.println("published " + name + " version " + version + " (code " + Text.shortSha(sha) + "); invoke it as "
                + name + ":" + version);
        cli.out.flush();
        return 0;
    }
}
