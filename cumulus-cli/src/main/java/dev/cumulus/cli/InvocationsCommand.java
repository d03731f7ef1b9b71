package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "invocations", mixinStandardHelpOptions = true,
        description = {"List a function's recent asynchronous invocations, or show one.",
                "Newest first; with REQUEST_ID, that invocation's event and every attempt."})
final class InvocationsCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "REQUEST_ID", arity = "0..1", description = "Show this invocation in full.")
    String requestId;

    @Option(names = "--state", paramLabel = "STATE",
            description = "Only invocations in this state: queued, running, retry-wait, succeeded, failed, dead-lettered.")
    String state;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
            description = "How many, 1..1000. Default: ${DEFAULT-VALUE}.")
    int limit;

    InvocationsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Names.check(name);
        if (limit < 1 || limit > 1000) {
            throw CliException.usage("--limit must be 1..1000, not " + limit);
        }
        ApiClient api = cli.client(client);
        if (requestId != null) {
            return show(api.get("/v1/invocations/" + ApiClient.segment(requestId)));
        }
        String query = "?limit=" + limit + (state != null ? "&state=" + ApiClient.segment(state) : "");
        JsonNode answer = api.get("/v1/functions/" + ApiClient.segment(name) + "/invocations" + query);
        JsonNode rows = answer == null ? null : answer.get("invocations");
        if (rows == null || rows.isEmpty()) {
            cli.err.println("no asynchronous invocations of " + name
                    + (state != null ? " in state " + state : "") + " (queue one with 'cumulus invoke " + name + " --async')");
            return 0;
        }
        Text.Table table = new Text.Table("REQUEST ID", "STATE", "ATTEMPTS", "ACCEPTED", "ERROR");
        for (JsonNode r : rows) {
            table.row(r.path("requestId").asText("-"), r.path("state").asText("-"), r.path("attempts").asText("-"),
                    r.path("acceptedAt").asText("-"), error(r.path("error")));
        }
        table.print(cli.out);
        return 0;
    }

    private int show(JsonNode r) {
        cli.out.println("request-id  " + r.path("requestId").asText("-"));
        cli.out.println("target      " + r.path("target").asText("-"));
        cli.out.println("state       " + r.path("state").asText("-") + (r.has("nextAttemptAt")
                ? " (next attempt at " + r.get("nextAttemptAt").asText() + ")" : ""));
        cli.out.println("accepted    " + r.path("acceptedAt").asText("-"));
        if (r.has("idempotencyKey")) {
            cli.out.println("key         " + r.get("idempotencyKey").asText());
        }
        if (r.has("error")) {
            cli.out.println("error       " + error(r.get("error")));
        }
        cli.out.println("event       " + r.path("event"));
        Text.Table attempts = new Text.Table("TRY", "STARTED", "ENDED", "OUTCOME", "ERROR");
        for (JsonNode a : r.path("tries")) {
            attempts.row(a.path("try").asText(), a.path("startedAt").asText(), a.path("endedAt").asText(),
                    a.path("outcome").asText(), error(a.path("error")));
        }
        attempts.print(cli.out);
        for (JsonNode d : r.path("destinations")) {
            cli.out.println("destination " + d.path("target").asText() + " " + d.path("requestId").asText() + " "
                    + d.path("state").asText());
        }
        cli.out.flush();
        return 0;
    }

    private static String error(JsonNode error) {
        if (error == null || error.isMissingNode() || error.isNull()) {
            return "-";
        }
        String type = error.path("errorType").asText("");
        String message = error.path("errorMessage").asText("");
        return Cli.oneLine(type + (message.isEmpty() ? "" : ": " + message));
    }
}
