package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
 * {@code cumulus secrets set|ls|rm}: a function's secrets. A value is read from stdin or a file,
 * never from the command line, where shell history and the process list would keep it.
 */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {"Manage a function's secrets: environment variables its instances start with,",
                "stored encrypted, never shown again, and replaced by *** in its logs."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SecretsCommand.Set.class, SecretsCommand.Ls.class, SecretsCommand.Rm.class})
final class SecretsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Set secret NAME of FUNCTION to the value read from stdin (one trailing newline",
                    "removed) or from --from-file. New instances get it; running ones are replaced."})
    static final class Set implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "FUNCTION")
        String function;

        @Parameters(index = "1", paramLabel = "NAME", description = "An environment variable name, e.g. DB_PASSWORD.")
        String name;

        @Option(names = "--from-file", paramLabel = "FILE", description = "Read the value from FILE, as it is.")
        Path file;

        Set(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String value;
            try {
                value = file != null ? Files.readString(file, StandardCharsets.UTF_8)
                        : stripNewline(new String(cli.in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (value.isEmpty()) {
                throw CliException.usage("no value: pipe it to stdin (e.g. 'printf %s \"$PW\" | cumulus secrets set "
                        + function + " " + name + "') or give --from-file");
            }
            cli.client(client).send("PUT", path(function) + "/" + ApiClient.segment(name), Map.of("value", value));
            cli.out.println("set secret " + name + " of " + function);
            cli.out.flush();
            return 0;
        }

        private static String stripNewline(String s) {
            if (s.endsWith("\r\n")) return s.substring(0, s.length() - 2);
            if (s.endsWith("\n")) return s.substring(0, s.length() - 1);
            return s;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a function's secrets (names only).")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "FUNCTION")
        String function;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode secrets = cli.client(client).get(path(function)).path("secrets");
            if (secrets.isEmpty()) {
                cli.err.println("function " + function + " has no secrets (set one with 'cumulus secrets set')");
                return 0;
            }
            Text.Table table = new Text.Table("NAME", "CREATED", "UPDATED");
            for (JsonNode secret : secrets) {
                table.row(secret.path("name").asText(), secret.path("createdAt").asText("-"),
                        secret.path("updatedAt").asText("-"));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove secret NAME of FUNCTION; running instances are replaced by ones without it.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "FUNCTION")
        String function;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", path(function) + "/" + ApiClient.segment(name), null);
            cli.out.println("removed secret " + name + " of " + function);
            cli.out.flush();
            return 0;
        }
    }

    private static String path(String function) {
        return "/v1/functions/" + ApiClient.segment(function) + "/secrets";
    }
}
