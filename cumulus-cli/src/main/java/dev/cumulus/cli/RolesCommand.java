package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus roles create|ls|show|set-policy|rm}: the execution roles functions run with. */
@Command(name = "roles", mixinStandardHelpOptions = true,
        description = {"Manage a project's roles: what a function's per-invocation credentials may do.",
                "A role without policies may do nothing."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RolesCommand.Create.class, RolesCommand.Ls.class, RolesCommand.Show.class,
                RolesCommand.SetPolicy.class, RolesCommand.Rm.class})
final class RolesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a role with its policies.")
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--policy", paramLabel = "FILE", description = "A policy document (JSON) to attach; repeatable.")
        List<Path> policies;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (description != null) {
                body.put("description", description);
            }
            PolicyFiles.attach(body, cli.cwd, policies, false);
            JsonNode role = cli.client(client).send("POST", "/v1/roles", body);
            cli.out.println("created role " + name + " in project " + role.path("project").asText());
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the project's roles.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode roles = cli.client(client).get("/v1/roles").path("roles");
            if (roles.isEmpty()) {
                cli.err.println("no roles (create one with 'cumulus roles create NAME --policy FILE')");
                return 0;
            }
            Text.Table table = new Text.Table("NAME", "PROJECT", "UPDATED", "POLICIES");
            for (JsonNode r : roles) {
                table.row(r.path("name").asText(), r.path("project").asText(), r.path("updatedAt").asText("-"),
                        PolicyFiles.summary(r.path("policies")));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a role with its policy documents (JSON).")
    static final class Show implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Show(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws Exception {
            JsonNode role = cli.client(client).get("/v1/roles/" + ApiClient.segment(name));
            cli.out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(role));
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "set-policy", mixinStandardHelpOptions = true,
            description = "Replace a role's policies (none given: the role may do nothing).")
    static final class SetPolicy implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--policy", paramLabel = "FILE", description = "A policy document (JSON); repeatable.")
        List<Path> policies;

        SetPolicy(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("policies", PolicyFiles.read(cli.cwd, policies));
            cli.client(client).send("PUT", "/v1/roles/" + ApiClient.segment(name) + "/policies", body);
            cli.out.println("replaced the policies of role " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a role.")
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
            cli.client(client).send("DELETE", "/v1/roles/" + ApiClient.segment(name), null);
            cli.out.println("removed role " + name);
            cli.out.flush();
            return 0;
        }
    }
}
