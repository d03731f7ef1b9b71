package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cumulus users ls|disable|enable|rm|claims}: the end users of a project's apps (they sign up
 * under {@code /v1/projects/P/auth/}); IAM's admin users are {@code cumulus admins}.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = {"Manage a project's end users: the people who sign up to its apps (docs/auth.md).",
                "The project's operators are 'cumulus admins'."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {UsersCommand.Ls.class, UsersCommand.Disable.class, UsersCommand.Enable.class,
                UsersCommand.Rm.class, UsersCommand.Claims.class})
final class UsersCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    static String path(String id) {
        return "/v1/users/" + ApiClient.segment(id);
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the project's end users.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N users (1 to 1000). Default: ${DEFAULT-VALUE}.")
        int limit;

        @Option(names = "--after", paramLabel = "ID", description = "Start after this user id (the last one of the previous page).")
        String after;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode answer = cli.client(client).get("/v1/users?limit=" + limit
                    + (after == null ? "" : "&after=" + ApiClient.segment(after)));
            Text.Table table = new Text.Table("ID", "EMAIL", "VERIFIED", "DISABLED", "CLAIMS", "CREATED");
            for (JsonNode u : answer.path("users")) {
                table.row(u.path("id").asText(), u.path("anonymous").asBoolean() ? "(anonymous)" : u.path("email").asText(),
                        u.path("emailVerified").asBoolean(), u.path("disabled").asBoolean(),
                        u.path("claims").isEmpty() ? "-" : u.path("claims").toString(), u.path("createdAt").asText());
            }
            table.print(cli.out);
            if (!answer.path("next").isNull() && !answer.path("next").isMissingNode()) {
                cli.err.println("more: --after " + answer.path("next").asText());
                cli.err.flush();
            }
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disable an end user: they cannot log in, and their tokens stop working at once.")
    static final class Disable implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        Disable(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("POST", path(id) + "/disable", null);
            cli.out.println("disabled user " + id);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled end user again.")
    static final class Enable implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        Enable(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("POST", path(id) + "/enable", null);
            cli.out.println("enabled user " + id);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an end user and every token of theirs.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", path(id), null);
            cli.out.println("removed user " + id);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "claims", mixinStandardHelpOptions = true,
            description = {"Set an end user's custom claims (a JSON object; replaces the old ones), which their",
                    "next access tokens carry, e.g. cumulus users claims u-... '{\"role\":\"editor\"}'."})
    static final class Claims implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "JSON", arity = "0..1", description = "The claims, e.g. '{\"role\":\"editor\"}'.")
        String json;

        @Option(names = "--file", paramLabel = "FILE", description = "Read the claims from a JSON file instead.")
        Path file;

        Claims(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if ((json == null) == (file == null)) {
                throw CliException.usage("give the claims as JSON or with --file, one of them");
            }
            JsonNode claims;
            try {
                claims = JSON.readTree(json != null ? json : Files.readString(cli.cwd.resolve(file)));
            } catch (IOException e) {
                throw CliException.usage("the claims are not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (claims == null || !claims.isObject()) {
                throw CliException.usage("the claims are a JSON object, e.g. '{\"role\":\"editor\"}'");
            }
            JsonNode user = cli.client(client).send("PUT", path(id) + "/claims", Map.of("claims", claims));
            cli.out.println("claims of " + id + ": " + user.path("claims"));
            cli.out.flush();
            return 0;
        }
    }
}
