package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "versions", mixinStandardHelpOptions = true, description = "List the published versions of a function.")
final class VersionsCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    VersionsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Names.check(name);
        JsonNode answer = cli.client(client).get("/v1/functions/" + ApiClient.segment(name) + "/versions");
        JsonNode versions = answer == null ? null : answer.get("versions");
        if (versions == null || versions.isEmpty()) {
            cli.err.println("no published versions of " + name + " (create one with 'cumulus publish " + name + "')");
            return 0;
        }
        Text.Table table = new Text.Table("VERSION", "CODE", "SIZE", "HANDLER", "CREATED");
        for (JsonNode v : versions) {
            JsonNode code = v.path("code");
            table.row(v.path("version").asText("-"), Text.shortSha(code.path("sha256").asText(null)),
                    code.has("sizeBytes") ? Text.bytes(code.get("sizeBytes").asLong()) : "-",
                    v.path("config").path("handler").asText("-"), v.path("createdAt").asText("-"));
        }
        table.print(cli.out);
        return 0;
    }
}
