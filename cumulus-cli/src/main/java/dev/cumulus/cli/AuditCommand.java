package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cumulus audit}: the audit log, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Show the audit log, newest first: control-plane changes and every denial. Root sees",
                "every project's lines (or --project's); others need audit:Read and see their project's."})
final class AuditCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Option(names = "--principal", paramLabel = "WHO", description = "e.g. api-key:key-1a2b@shop")
    String principal;

    @Option(names = "--action", paramLabel = "ACTION", description = "e.g. iam:CreateApiKey")
    String action;

    @Option(names = "--outcome", paramLabel = "allow|deny")
    String outcome;

    @Option(names = "--since", paramLabel = "DURATION", converter = Durations.Converter.class,
            description = "Only lines of the last DURATION (1h, 7d).")
    Duration since;

    @Option(names = "--from", paramLabel = "WHEN", converter = Instants.Converter.class)
    Instant from;

    @Option(names = "--to", paramLabel = "WHEN", converter = Instants.Converter.class)
    Instant to;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N lines (1 to 1000; default 100).")
    int limit;

    AuditCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (since != null && from != null) {
            throw CliException.usage("give --since or --from, not both");
        }
        List<String> query = new ArrayList<>();
        add(query, "principal", principal);
        add(query, "action", action);
        add(query, "outcome", outcome);
        add(query, "from", since != null ? Instant.now().minus(since).toString() : from == null ? null : from.toString());
        add(query, "to", to == null ? null : to.toString());
        add(query, "limit", Integer.toString(limit));
        JsonNode entries = cli.client(client).get("/v1/audit?" + String.join("&", query)).path("entries");
        if (entries.isEmpty()) {
            cli.err.println("no audit lines match");
            return 0;
        }
        Text.Table table = new Text.Table("TIME", "OUTCOME", "PRINCIPAL", "ACTION", "RESOURCE", "SOURCE", "DETAIL");
        for (JsonNode e : entries) {
            table.row(e.path("at").asText(), e.path("outcome").asText(), e.path("principal").asText(),
                    e.path("action").asText(), e.path("resource").asText(), e.path("source").asText("-"),
                    e.path("detail").asText(""));
        }
        table.print(cli.out);
        return 0;
    }

    private static void add(List<String> query, String name, String value) {
        if (value != null) {
            query.add(name + "=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
