package dev.cumulus.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Entry point of the {@code cumulus} command; see {@link Cli} for the in-process form. */
@Command(name = "cumulus",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Cumulus: a self-hosted serverless platform for the JVM.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footer = {"",
                "Clients find the node from --url/--token, else CUMULUS_URL/CUMULUS_TOKEN,",
                "else the url and root-token files in the data dir (--data-dir, else",
                "CUMULUS_DATA, else ./.cumulus).",
                "Exit codes: 0 ok, 1 error, 2 usage error."})
public final class Main implements Callable<Integer> {
    /**
     * The subcommands, in the order help lists them. Not in the annotation: picocli reflects over
     * every command it is given before it parses anything, which cost about a third of a second of
     * CPU on every start (of {@code serve} too), so {@link Cli} gives it only the command the
     * arguments name, and all of them when they name none (help, a typo).
     */
    static final List<Class<?>> COMMANDS = List.of(
            ServeCommand.class,
            InitCommand.class,
            DeployCommand.class,
            InvokeCommand.class,
            InvocationsCommand.class,
            LsCommand.class,
            RmCommand.class,
            PublishCommand.class,
            VersionsCommand.class,
            LogsCommand.class,
            UsageCommand.class,
            DoctorCommand.class,
            RoutesCommand.class,
            SchedulesCommand.class,
            KeysCommand.class,
            SecretsCommand.class,
            TokenCommand.class,
            ProjectsCommand.class,
            ApiKeysCommand.class,
            RolesCommand.class,
            AdminsCommand.class,
            UsersCommand.class,
            MailCommand.class,
            PolicyCommand.class,
            AuditCommand.class,
            SourcesCommand.class,
            TopicsCommand.class,
            StorageCommand.class,
            RulesCommand.class,
            DbCommand.class,
            CommandLine.HelpCommand.class);

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.system().run(args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cumulus " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"};
        }
    }
}
