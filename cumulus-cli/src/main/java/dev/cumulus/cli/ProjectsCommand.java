package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus projects create|ls|rm|use}: projects (tenants) and the CLI's current one. */
@Command(name = "projects", mixinStandardHelpOptions = true,
        description = {"Manage projects (tenants; creating and removing them takes the root token),",
                "and choose the CLI's current project, sent with every request as X-Cumulus-Project."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ProjectsCommand.Create.class, ProjectsCommand.Ls.class, ProjectsCommand.Rm.class,
                ProjectsCommand.Use.class})
final class ProjectsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a project (root only).")
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "A DNS label: lower-case letters, digits, inner hyphens.")
        String name;

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
            cli.client(client).send("POST", "/v1/projects", body);
            cli.out.println("created project " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List projects (root sees all; a project's credential its own). '*' marks the current one.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String current = CliConfig.project(client.project, cli.env);
            JsonNode projects = cli.client(client).get("/v1/projects").path("projects");
            Text.Table table = new Text.Table("", "NAME", "CREATED", "DESCRIPTION");
            for (JsonNode p : projects) {
                String name = p.path("name").asText();
                table.row(name.equals(current) ? "*" : "", name, p.path("createdAt").asText("-"),
                        p.path("description").asText(""));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete an empty project (root only); one that still holds anything is refused.")
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
            cli.client(client).send("DELETE", "/v1/projects/" + ApiClient.segment(name), null);
            if (name.equals(CliConfig.storedProject(cli.env))) {
                CliConfig.storeProject(cli.env, null);
                cli.err.println("the current project was " + name + ": none is current now");
            }
            cli.out.println("removed project " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true,
            description = {"Make a project the current one (checked with the node first), or --clear it.",
                    "Stored in $CUMULUS_CONFIG, else $XDG_CONFIG_HOME/cumulus/config.json, else ~/.config/cumulus/config.json."})
    static final class Use implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", arity = "0..1")
        String name;

        @Option(names = "--clear", description = "No current project: each request acts in the caller's own.")
        boolean clear;

        Use(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (clear == (name != null)) {
                throw CliException.usage("give a project NAME or --clear");
            }
            if (clear) {
                CliConfig.storeProject(cli.env, null);
                cli.out.println("no current project");
            } else {
                cli.client(client).get("/v1/projects/" + ApiClient.segment(name));
                CliConfig.storeProject(cli.env, name);
                cli.out.println("current project: " + name);
            }
            cli.out.flush();
            return 0;
        }
    }
}
