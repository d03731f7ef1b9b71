package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus schedules add|ls|rm|enable|disable}: cron and rate triggers. */
@Command(name = "schedules", mixinStandardHelpOptions = true, description = "Manage cron and rate schedules.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SchedulesCommand.Add.class, SchedulesCommand.Ls.class, SchedulesCommand.Rm.class,
                SchedulesCommand.Enable.class, SchedulesCommand.Disable.class})
final class SchedulesCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Invoke FUNCTION on a cron or rate schedule.")
    static final class Add implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--function", required = true, paramLabel = "FUNCTION", description = "NAME or NAME:QUALIFIER.")
        String function;

        @ArgGroup(exclusive = true, multiplicity = "1")
        When when;

        static final class When {
            @Option(names = "--cron", paramLabel = "EXPR",
                    description = "5 fields (min hour day month weekday) or 6 (seconds first), e.g. '0 2 * * *'.")
            String cron;

            @Option(names = "--rate", paramLabel = "N UNIT", description = "e.g. '5 minutes', '1 hour', '2 days'.")
            String rate;
        }

        @Option(names = "--tz", paramLabel = "ZONE", description = "IANA time zone the cron is read in (default UTC).")
        String timeZone;

        @Option(names = "--payload", paramLabel = "JSON", description = "JSON object delivered as the event's detail.")
        String payload;

        @Option(names = "--catch-up", paramLabel = "POLICY",
                description = "'fire-once-within PT1H' (default) or 'skip': ticks missed while the node was down.")
        String catchUp;

        @Option(names = "--disabled", description = "Create the schedule disabled.")
        boolean disabled;

        Add(Cli cli) {
            this.cli = cli;
        }

        ObjectNode body() {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("name", name);
            body.put("function", function);
            if (when.cron != null) body.put("cron", when.cron);
            if (when.rate != null) body.put("rate", when.rate);
            if (timeZone != null) body.put("timeZone", timeZone);
            if (payload != null) {
                JsonNode detail;
                try {
                    detail = ApiClient.JSON.readTree(payload);
                } catch (IOException e) {
                    throw CliException.usage("--payload is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
                }
                if (detail == null || !detail.isObject()) {
                    throw CliException.usage("--payload must be a JSON object, e.g. '{\"keep\":7}'");
                }
                body.set("payload", detail);
            }
            if (catchUp != null) body.put("catchUp", catchUp);
            if (disabled) body.put("enabled", false);
            return body;
        }

        @Override
        public Integer call() {
            JsonNode s = cli.client(client).send("POST", "/v1/schedules", body());
            cli.out.println("added schedule " + s.path("name").asText() + ": " + describe(s));
            cli.out.flush();
            return 0;
        }
    }

    /** {@code cron(0 2 * * *) Europe/Berlin -> backup, next <time>}: a schedule on one line. */
    static String describe(JsonNode s) {
        return s.path("expression").asText() + " " + s.path("timeZone").asText() + " -> " + s.path("function").asText()
                + (s.path("enabled").asBoolean() ? ", next " + s.path("nextFireTime").asText() : ", disabled");
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List schedules.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode schedules = cli.client(client).get("/v1/schedules").path("schedules");
            if (schedules.isEmpty()) {
                cli.err.println("no schedules");
                return 0;
            }
            Text.Table table = new Text.Table("NAME", "EXPRESSION", "TZ", "FUNCTION", "ENABLED", "NEXT", "FIRED", "SKIPPED");
            for (JsonNode s : schedules) {
                table.row(s.path("name").asText(), s.path("expression").asText(), s.path("timeZone").asText(),
                        s.path("function").asText(), s.path("enabled").asBoolean() ? "yes" : "no",
                        s.path("nextFireTime").isTextual() ? s.path("nextFireTime").asText() : "-",
                        s.path("firedTicks").asLong(), s.path("skippedTicks").asLong());
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a schedule.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", "/v1/schedules/" + ApiClient.segment(name), null);
            cli.out.println("removed schedule " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a schedule (from the next tick on).")
    static final class Enable implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Enable(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            return toggle(cli, client, name, "enable");
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a schedule.")
    static final class Disable implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Disable(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            return toggle(cli, client, name, "disable");
        }
    }

    private static int toggle(Cli cli, ClientOptions client, String name, String action) {
        JsonNode s = cli.client(client).send("POST", "/v1/schedules/" + ApiClient.segment(name) + "/" + action, null);
        cli.out.println(name + (s.path("enabled").asBoolean() ? " enabled, next " + s.path("nextFireTime").asText() : " disabled"));
        cli.out.flush();
        return 0;
    }
}
