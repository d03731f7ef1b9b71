package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ls", mixinStandardHelpOptions = true, description = "List functions.")
final class LsCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    LsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        JsonNode answer = cli.client(client).get("/v1/functions");
        JsonNode functions = answer == null ? null : answer.get("functions");
        if (functions == null || functions.isEmpty()) {
            cli.err.println("no functions");
            return 0;
        }
        Text.Table table = new Text.Table("NAME", "RUNTIME", "HANDLER", "MEMORY", "IDLE/BUSY");
        for (JsonNode f : functions) {
            JsonNode inst = f.get("instances");
            String instances = inst == null || inst.isNull() ? "-"
                    : inst.path("idle").asInt() + "/" + inst.path("busy").asInt();
            table.row(f.path("name").asText("-"), f.path("runtime").asText("-"), f.path("handler").asText("-"),
                    f.has("memoryMb") ? f.get("memoryMb").asInt() + " MB" : "-", instances);
        }
        table.print(cli.out);
        return 0;
    }
}
