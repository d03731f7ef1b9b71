package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cumulus token rotate}: a new root token; the old one stops working at once. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage the node's root token.",
        synopsisSubcommandLabel = "COMMAND", subcommands = TokenCommand.Rotate.class)
final class TokenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Replace the root token. The old token stops working with this call.",
                    "The node writes the new one to <data dir>/root-token (mode 600); the token itself is",
                    "printed only when this CLI did not read it from that file (--token or CUMULUS_TOKEN)."})
    static final class Rotate implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Rotate(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Target target = Target.resolve(client, cli.env, cli.cwd);
            JsonNode rotated = new ApiClient(target).send("POST", "/v1/token/rotate", Map.of());
            String file = rotated.path("file").asText();
            if (file.equals(target.tokenSource())) {
                cli.out.println("root token rotated; the old one no longer works. The new one is in " + file);
            } else {
                cli.out.println(rotated.path("token").asText());
                cli.out.flush();
                cli.err.println("root token rotated; the old one no longer works. The new one is above (shown only now)"
                        + " and in " + file + " on the node; update " + target.tokenSource());
            }
            cli.out.flush();
            cli.err.flush();
            return 0;
        }
    }
}
