package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cumulus mail test|outbox}: the project's mail to its end users (docs/auth.md). */
@Command(name = "mail", mixinStandardHelpOptions = true,
        description = {"The project's mail to its end users: the relay is 'serve --smtp' or the project's own",
                "(PUT /v1/mail/settings); messages wait in a durable outbox and are retried with backoff."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {MailCommand.Test.class, MailCommand.Outbox.class})
final class MailCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Queue a test mail to ADDRESS; 'cumulus mail outbox' shows whether it left.")
    static final class Test implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ADDRESS")
        String to;

        Test(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode queued = cli.client(client).send("POST", "/v1/mail/test", Map.of("to", to));
            cli.out.println("queued test mail " + queued.path("id").asText() + " to " + to);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "outbox", mixinStandardHelpOptions = true,
            description = "The project's newest messages and their states (never their bodies).")
    static final class Outbox implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Outbox(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Text.Table table = new Text.Table("ID", "TEMPLATE", "TO", "STATE", "TRIES", "LAST ERROR", "CREATED");
            for (JsonNode m : cli.client(client).get("/v1/mail/outbox").path("messages")) {
                table.row(m.path("id").asText(), m.path("template").asText(), m.path("to").asText(),
                        m.path("state").asText(), m.path("attempts").asInt(), m.path("lastError").asText("-"),
                        m.path("createdAt").asText());
            }
            table.print(cli.out);
            return 0;
        }
    }
}
