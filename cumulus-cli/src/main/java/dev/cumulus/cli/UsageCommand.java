package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "usage", mixinStandardHelpOptions = true,
        description = {"Show metered usage per function and in total.",
                "Times are ISO-8601: 2025-01-31T12:00:00Z, or a date for midnight UTC."})
final class UsageCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Option(names = "--from", paramLabel = "ISO", converter = Instants.Converter.class, description = "Start (inclusive).")
    Instant from;

    @Option(names = "--to", paramLabel = "ISO", converter = Instants.Converter.class, description = "End (exclusive).")
    Instant to;

    UsageCommand(Cli cli) {
        this.cli = cli;
    }

    String path() {
        StringBuilder p = new StringBuilder("/v1/usage");
        String sep = "?";
        if (from != null) {
            p.append(sep).append("from=").append(URLEncoder.encode(from.toString(), StandardCharsets.UTF_8));
            sep = "&";
        }
        if (to != null) {
            p.append(sep).append("to=").append(URLEncoder.encode(to.toString(), StandardCharsets.UTF_8));
        }
        return p.toString();
    }

    @Override
    public Integer call() {
        if (from != null && to != null && !from.isBefore(to)) {
            throw CliException.usage("--from must be before --to");
        }
        JsonNode u = cli.client(client).get(path());
        if (u == null) {
            throw new CliException("the node answered /v1/usage with an empty body");
        }
        cli.out.println("usage from " + u.path("from").asText("-") + " to " + u.path("to").asText("-"));
        Text.Table table = new Text.Table("FUNCTION", "REQUESTS", "ERRORS", "COLD-STARTS", "BILLED-MS", "GB-SECONDS");
        for (JsonNode f : u.path("functions")) {
            row(table, f.path("function").asText("-"), f);
        }
        row(table, "TOTAL", u.path("total"));
        table.print(cli.out);
        return 0;
    }

    private static void row(Text.Table t, String name, JsonNode n) {
        t.row(name, num(n, "requests"), num(n, "errors"), num(n, "coldStarts"), num(n, "billedMs"), num(n, "gbSeconds"));
    }

    private static String num(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return "0";
        }
        return v.isNumber() ? v.decimalValue().stripTrailingZeros().toPlainString() : v.asText();
    }
}
