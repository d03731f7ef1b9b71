package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus routes add|ls|rm}: HTTP routes under /api. */
@Command(name = "routes", mixinStandardHelpOptions = true, description = "Manage HTTP routes served under /api.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {RoutesCommand.Add.class, RoutesCommand.Ls.class, RoutesCommand.Rm.class})
final class RoutesCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Route METHOD PATH (e.g. GET /users/{id}, ANY /files/{proxy+}) to FUNCTION (NAME or NAME:QUALIFIER).")
    static final class Add implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "METHOD", description = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.")
        String method;

        @Parameters(index = "1", paramLabel = "PATH", description = "Path below /api, with {param} and a last {name+}.")
        String path;

        @Parameters(index = "2", paramLabel = "FUNCTION")
        String function;

        @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = "Allowed origin (or *); repeatable. Turns CORS on.")
        List<String> corsOrigins = new ArrayList<>();

        @Option(names = "--cors-method", paramLabel = "METHOD", description = "Method a preflight may ask for; repeatable.")
        List<String> corsMethods = new ArrayList<>();

        @Option(names = "--cors-header", paramLabel = "HEADER", description = "Request header a preflight may ask for (or *); repeatable.")
        List<String> corsHeaders = new ArrayList<>();

        @Option(names = "--cors-expose", paramLabel = "HEADER", description = "Response header scripts may read; repeatable.")
        List<String> corsExpose = new ArrayList<>();

        @Option(names = "--cors-max-age", paramLabel = "SECONDS", description = "How long browsers cache a preflight.")
        Integer corsMaxAge;

        @Option(names = "--cors-credentials", description = "Allow credentialed requests (needs explicit origins).")
        boolean corsCredentials;

        @Option(names = "--rate", paramLabel = "N", description = "Throttle: requests per second on average (needs --burst).")
        Double rate;

        @Option(names = "--burst", paramLabel = "N", description = "Throttle: requests at once (needs --rate).")
        Integer burst;

        @Option(names = "--payload-format", paramLabel = "1.0|2.0", description = "Event shape: 2.0 (HTTP API, default) or 1.0 (REST API proxy).")
        String payloadFormat;

        @Option(names = "--auth", paramLabel = "token|none|user", description = "token (the node's principals, default), "
                + "none (public) or user (the project's end users' access tokens; the function sees the user).")
        String auth;

        Add(Cli cli) {
            this.cli = cli;
        }

        ObjectNode body() {
            ObjectNode body = ApiClient.JSON.createObjectNode();
            body.put("method", method);
            body.put("path", path);
            body.put("function", function);
            if (payloadFormat != null) body.put("payloadFormat", payloadFormat);
            if (auth != null) body.put("auth", auth);
            boolean corsOptions = !corsMethods.isEmpty() || !corsHeaders.isEmpty() || !corsExpose.isEmpty()
                    || corsMaxAge != null || corsCredentials;
            if (corsOptions && corsOrigins.isEmpty()) {
                throw CliException.usage("the --cors-* options need at least one --cors-origin");
            }
            if (!corsOrigins.isEmpty()) {
                ObjectNode cors = body.putObject("cors");
                strings(cors.putArray("allowOrigins"), corsOrigins);
                strings(cors.putArray("allowMethods"), corsMethods);
                strings(cors.putArray("allowHeaders"), corsHeaders);
                strings(cors.putArray("exposeHeaders"), corsExpose);
                if (corsMaxAge != null) cors.put("maxAgeSeconds", corsMaxAge);
                cors.put("allowCredentials", corsCredentials);
            }
            if ((rate == null) != (burst == null)) {
                throw CliException.usage("--rate and --burst go together");
            }
            if (rate != null) {
                body.putObject("throttle").put("rate", rate).put("burst", burst);
            }
            return body;
        }

        private static void strings(ArrayNode array, List<String> values) {
            values.forEach(array::add);
        }

        @Override
        public Integer call() {
            JsonNode route = cli.client(client).send("POST", "/v1/routes", body());
            cli.out.println("added route " + route.path("id").asText() + ": " + describe(route));
            cli.out.flush();
            return 0;
        }
    }

    /** {@code GET /api/users/{id} -> users}: a route on one line. */
    static String describe(JsonNode route) {
        return route.path("method").asText() + " " + route.path("url").asText() + " -> " + route.path("function").asText();
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List routes.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode routes = cli.client(client).get("/v1/routes").path("routes");
            if (routes.isEmpty()) {
                cli.err.println("no routes");
                return 0;
            }
            Text.Table table = new Text.Table("ID", "METHOD", "PATH", "FUNCTION", "FORMAT", "AUTH", "CORS", "THROTTLE");
            for (JsonNode r : routes) {
                JsonNode cors = r.path("cors");
                JsonNode throttle = r.path("throttle");
                table.row(r.path("id").asText(), r.path("method").asText(), r.path("url").asText(),
                        r.path("function").asText(), r.path("payloadFormat").asText(), r.path("auth").asText(),
                        cors.isObject() ? String.join(",", texts(cors.path("allowOrigins"))) : "-",
                        throttle.isObject() ? throttle.path("rate").asText() + "/s burst " + throttle.path("burst").asText() : "-");
            }
            table.print(cli.out);
            return 0;
        }

        private static List<String> texts(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a route.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", "/v1/routes/" + ApiClient.segment(id), null);
            cli.out.println("removed route " + id);
            cli.out.flush();
            return 0;
        }
    }
}
