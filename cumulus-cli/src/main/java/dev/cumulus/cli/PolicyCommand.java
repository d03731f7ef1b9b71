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

/** {@code cumulus policy simulate}: may X do A on R? */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Ask the node's policy evaluator.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {PolicyCommand.Simulate.class})
final class PolicyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = {"May a principal (or policy documents) do an action on a resource? Prints allow or deny",
                    "and the deciding statement; exit code 0 either way. Nothing is done and nothing is audited."})
    static final class Simulate implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Option(names = "--principal", paramLabel = "WHO",
                description = "root, or KIND:ID@PROJECT: api-key:key-1a2b@shop, role:orders@shop, user:alice@shop, "
                        + "access-key:AKCM...@shop.")
        String principal;

        @Option(names = "--policy", paramLabel = "FILE", description = "Try policy documents instead of a principal; repeatable.")
        List<Path> policies;

        @Option(names = "--action", required = true, paramLabel = "ACTION", description = "e.g. functions:Invoke")
        String action;

        @Option(names = "--resource", required = true, paramLabel = "CRN",
                description = "e.g. crn:cumulus:functions:shop:orders-create")
        String resource;

        @Option(names = "--source", paramLabel = "IP", description = "Source address for IP conditions (default: this client's).")
        String source;

        @Option(names = "--time", paramLabel = "WHEN", converter = Instants.Converter.class,
                description = "Time for time-window conditions (default: now).")
        java.time.Instant time;

        Simulate(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            if ((principal == null) == (policies == null || policies.isEmpty())) {
                throw CliException.usage("give --principal or --policy FILE");
            }
            if (principal != null) {
                body.put("principal", principal);
            } else {
                body.put("policies", PolicyFiles.read(cli.cwd, policies));
            }
            body.put("action", action);
            body.put("resource", resource);
            if (source != null) {
                body.put("source", source);
            }
            if (time != null) {
                body.put("time", time.toString());
            }
            JsonNode answer = cli.client(client).send("POST", "/v1/policy/simulate", body);
            cli.out.println(answer.path("decision").asText() + " (" + answer.path("explanation").asText() + ")");
            cli.out.flush();
            return 0;
        }
    }
}
