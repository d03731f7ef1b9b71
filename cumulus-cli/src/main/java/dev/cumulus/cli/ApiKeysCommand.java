package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus api-keys create|ls|rm}: a project's bearer API keys ({@code ck_...}). */
@Command(name = "api-keys", mixinStandardHelpOptions = true,
        description = {"Manage a project's API keys: bearer tokens (ck_...) for the REST API, limited by",
                "their policies (docs/iam.md). For AWS SDK access keys see 'cumulus keys'."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.Ls.class, ApiKeysCommand.Rm.class})
final class ApiKeysCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an API key in the project. Prints CUMULUS_TOKEN=ck_...; the token is shown only",
                    "this once. It needs --policy FILE (repeatable) or --admin (everything in the project)."})
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Option(names = "--policy", paramLabel = "FILE", description = "A policy document (JSON) to attach; repeatable.")
        List<Path> policies;

        @Option(names = "--admin", description = "Attach the project's admin policy (Allow * on the project's resources).")
        boolean admin;

        @Option(names = "--expires", paramLabel = "WHEN", description = "When the key stops working: an ISO time "
                + "(2027-01-31T00:00:00Z) or a duration from now (90d, 12h).")
        String expires;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            PolicyFiles.attach(body, cli.cwd, policies, admin);
            if (!body.containsKey("admin") && !body.containsKey("policies")) {
                throw CliException.usage("an API key needs --policy FILE or --admin");
            }
            if (description != null) {
                body.put("description", description);
            }
            if (expires != null) {
                body.put("expiresAt", expiresAt(expires).toString());
            }
            JsonNode key = cli.client(client).send("POST", "/v1/api-keys", body);
            cli.out.println("CUMULUS_TOKEN=" + key.path("token").asText());
            cli.out.flush();
            cli.err.println("key " + key.path("keyId").asText() + " of project " + key.path("project").asText()
                    + ": the token is shown only now, store it (the node keeps only its hash)");
            cli.err.flush();
            return 0;
        }
    }

    /** An ISO time, or a duration from now. */
    static Instant expiresAt(String text) {
        try {
            return Instants.parse(text);
        } catch (IllegalArgumentException notATime) {
            try {
                Duration d = Durations.parse(text);
                return Instant.now().plus(d);
            } catch (IllegalArgumentException notADuration) {
                throw CliException.usage("--expires takes an ISO time or a duration (90d, 12h): '" + text + "'");
            }
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the project's API keys (never their tokens).")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode keys = cli.client(client).get("/v1/api-keys").path("keys");
            if (keys.isEmpty()) {
                cli.err.println("no API keys (create one with 'cumulus api-keys create')");
                return 0;
            }
            Text.Table table = new Text.Table("KEY ID", "PROJECT", "CREATED", "EXPIRES", "REVOKED", "DESCRIPTION", "POLICIES");
            for (JsonNode k : keys) {
                table.row(k.path("keyId").asText(), k.path("project").asText(), k.path("createdAt").asText("-"),
                        k.path("expiresAt").asText("-"), k.path("revokedAt").asText("-"), k.path("description").asText(""),
                        PolicyFiles.summary(k.path("policies")));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Revoke an API key: refused from now on.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "KEY_ID")
        String id;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", "/v1/api-keys/" + ApiClient.segment(id), null);
            cli.out.println("revoked API key " + id);
            cli.out.flush();
            return 0;
        }
    }
}
