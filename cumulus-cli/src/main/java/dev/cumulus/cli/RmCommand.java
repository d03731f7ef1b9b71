package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rm", mixinStandardHelpOptions = true, description = {"Delete a function and its versions.",
        "Refused while routes, schedules, topic subscriptions, event sources or other functions'",
        "async destinations name it (they are listed), unless --cascade removes them too."})
final class RmCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--cascade", description = "Also remove what names the function (listed when refused without it).")
    boolean cascade;

    RmCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Names.check(name);
        ApiClient api = cli.client(client);
        HttpResponse<byte[]> response = api.bytes(api.request("/v1/functions/" + ApiClient.segment(name)
                + (cascade ? "?cascade=true" : "")).DELETE().build());
        if (response.statusCode() / 100 != 2) {
            List<String> dependents = dependents(response);
            if (response.statusCode() == 409 && !dependents.isEmpty()) {
                throw new CliException(name + " is used by: " + String.join(", ", dependents)
                        + "; use --cascade to remove them too");
            }
            throw ApiClient.apiError(response.statusCode(), response.body(), response);
        }
        cli.out.println("removed " + name);
        cli.out.flush();
        return 0;
    }

    /** {@code route GET /users/{id}}, ... from a 409's {@code dependents}; empty when the body has none. */
    private static List<String> dependents(HttpResponse<byte[]> response) {
        List<String> described = new ArrayList<>();
        try {
            JsonNode body = ApiClient.JSON.readTree(response.body());
            for (JsonNode d : body == null ? ApiClient.JSON.createArrayNode() : body.path("dependents")) {
                described.add(d.path("kind").asText() + " " + d.path("name").asText());
            }
        } catch (IOException notJson) {
            // not the node's answer: reported as any other error
        }
        return described;
    }
}
