package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/**
 * {@code cumulus admins create|ls|rm|login}: a project's admin users of IAM (password, session tokens);
 * {@code cumulus users} manages the end users of a project's apps.
 */
@Command(name = "admins", mixinStandardHelpOptions = true,
        description = {"Manage a project's admin users (IAM's operators; end users are 'cumulus users'). Passwords are read from stdin (never an argument,",
                "which other users could see in the process list) and stored as Argon2id hashes."},
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {AdminsCommand.Create.class, AdminsCommand.Ls.class, AdminsCommand.Rm.class, AdminsCommand.Login.class})
final class AdminsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    static String passwordFromStdin(Cli cli) {
        try {
            String text = new String(cli.in.readNBytes(4096), StandardCharsets.UTF_8);
            String firstLine = text.lines().findFirst().orElse("");
            if (firstLine.isEmpty()) {
                throw CliException.usage("no password on stdin (e.g. 'printf %s \"$PASSWORD\" | cumulus admins ...')");
            }
            return firstLine;
        } catch (IOException e) {
            throw new CliException("cannot read the password from stdin: " + e.getMessage());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an admin user; the password is the first line of stdin (12 characters or more).")
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--policy", paramLabel = "FILE", description = "A policy document (JSON) to attach; repeatable.")
        List<Path> policies;

        @Option(names = "--admin", description = "Attach the project's admin policy.")
        boolean admin;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("password", passwordFromStdin(cli));
            PolicyFiles.attach(body, cli.cwd, policies, admin);
            JsonNode user = cli.client(client).send("POST", "/v1/admins", body);
            cli.out.println("created user " + name + " in project " + user.path("project").asText());
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the project's admin users.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode users = cli.client(client).get("/v1/admins").path("users");
            Text.Table table = new Text.Table("NAME", "PROJECT", "CREATED", "POLICIES");
            for (JsonNode u : users) {
                table.row(u.path("name").asText(), u.path("project").asText(), u.path("createdAt").asText("-"),
                        PolicyFiles.summary(u.path("policies")));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an admin user; its sessions end.")
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
            cli.client(client).send("DELETE", "/v1/admins/" + ApiClient.segment(name), null);
            cli.out.println("removed user " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = {"Log in as an admin user (password on stdin); prints CUMULUS_TOKEN=cs_..., a session",
                    "token valid for one hour."})
    static final class Login implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Login(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            String project = CliConfig.project(client.project, cli.env);
            if (project != null) {
                body.put("project", project);
            }
            body.put("user", name);
            body.put("password", passwordFromStdin(cli));
            JsonNode session = cli.client(client).send("POST", "/v1/login", body);
            cli.out.println("CUMULUS_TOKEN=" + session.path("token").asText());
            cli.out.flush();
            cli.err.println("session of " + name + "@" + session.path("project").asText() + " until "
                    + session.path("expiresAt").asText());
            cli.err.flush();
            return 0;
        }
    }
}
