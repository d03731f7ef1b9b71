package dev.cumulus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a function and its versions.")
final class RmCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    RmCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Names.check(name);
        cli.client(client).send("DELETE", "/v1/functions/" + ApiClient.segment(name), null);
        cli.out.println("removed " + name);
        cli.out.flush();
        return 0;
    }
}
