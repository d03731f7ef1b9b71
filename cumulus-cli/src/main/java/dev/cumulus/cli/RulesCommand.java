package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cumulus.documents.RulesCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cumulus rules test FILE}: a collection's access rules against cases, offline. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with document database access rules.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {RulesCommand.Test.class})
final class RulesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** A rules file, JSON or YAML by its name ({@code .yaml}, {@code .yml}); {@code db rules --set} reads the same. */
    static JsonNode readRulesFile(Path cwd, Path file) {
        Path path = cwd.resolve(file);
        try {
            String name = path.getFileName().toString();
            ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                    : new ObjectMapper();
            return mapper.readTree(Files.readString(path));
        } catch (IOException e) {
            throw CliException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = {"Run a rules file's cases with the node's own rule evaluator, without a node.",
                    "FILE (JSON or YAML) has rules (read, list, create, update, delete: CEL expressions) and cases",
                    "(name, op, auth {uid, claims} or null, resource {id, data, version} or null, data, time, expect",
                    "allow|deny). Prints PASS or FAIL per case; exit code 1 when a case fails."})
    static final class Test implements Callable<Integer> {
        private final Cli cli;

        @Parameters(index = "0", paramLabel = "FILE", description = "The rules file (.json, .yaml or .yml).")
        Path file;

        Test(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode tree = readRulesFile(cli.cwd, file);
            List<RulesCheck.Outcome> outcomes;
            try {
                outcomes = RulesCheck.run(tree);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(file + ": " + e.getMessage());
            }
            int failed = 0;
            for (RulesCheck.Outcome o : outcomes) {
                if (o.passed()) {
                    cli.out.println("PASS " + o.name());
                } else {
                    failed++;
                    cli.out.println("FAIL " + o.name() + ": " + o.operation() + " expected " + verdict(o.expected())
                            + ", got " + verdict(o.actual()));
                }
            }
            cli.out.println((outcomes.size() - failed) + " of " + outcomes.size() + " cases as expected");
            return failed == 0 ? 0 : 1;
        }

        private static String verdict(boolean allow) {
            return allow ? "allow" : "deny";
        }
    }
}
