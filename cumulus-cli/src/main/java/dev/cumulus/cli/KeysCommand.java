package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus keys create|ls|rm}: access keys for the Lambda-compatible API (AWS SDKs, AWS CLI). */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Manage access keys for the Lambda-compatible API (AWS SDKs and the AWS CLI).",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {KeysCommand.Create.class, KeysCommand.Ls.class, KeysCommand.Rm.class})
final class KeysCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an access key. Prints AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY lines;",
                    "the secret is shown only this once."})
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the key is for (up to 256 characters).")
        String description;

        @Option(names = "--policy", paramLabel = "FILE",
                description = "A policy document (JSON) to attach; repeatable. Without any, the key is an admin of its project.")
        java.util.List<java.nio.file.Path> policies;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "When the key stops working: an ISO time or a duration from now (90d, 12h).")
        String expires;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            if (description != null) {
                body.put("description", description);
            }
            PolicyFiles.attach(body, cli.cwd, policies, false);
            if (expires != null) {
                body.put("expiresAt", ApiKeysCommand.expiresAt(expires).toString());
            }
            JsonNode key = cli.client(client).send("POST", "/v1/keys", body);
            cli.out.println("AWS_ACCESS_KEY_ID=" + key.path("accessKeyId").asText());
            cli.out.println("AWS_SECRET_ACCESS_KEY=" + key.path("secretAccessKey").asText());
            // both lines out before the note: on a shared terminal, stdout still in its buffer would
            // otherwise follow the note, or be split by it
            cli.out.flush();
            cli.err.println("the secret is shown only now: store it (the node cannot show it again)");
            cli.err.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List access keys (never their secrets).")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode keys = cli.client(client).get("/v1/keys").path("keys");
            if (keys.isEmpty()) {
                cli.err.println("no access keys (create one with 'cumulus keys create')");
                return 0;
            }
            Text.Table table = new Text.Table("ACCESS KEY ID", "CREATED", "DESCRIPTION");
            for (JsonNode key : keys) {
                table.row(key.path("accessKeyId").asText(), key.path("createdAt").asText("-"),
                        key.path("description").asText(""));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an access key; requests signed with it stop working.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ACCESS_KEY_ID")
        String id;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (!id.matches("[A-Z0-9]{16,32}")) {
                throw CliException.usage("'" + id + "' is not an access key id (like AKCM...)");
            }
            cli.client(client).send("DELETE", "/v1/keys/" + id, null);
            cli.out.println("removed access key " + id);
            cli.out.flush();
            return 0;
        }
    }
}
