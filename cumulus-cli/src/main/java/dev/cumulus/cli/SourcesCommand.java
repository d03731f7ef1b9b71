package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus sources}: event source mappings (MQTT, NATS JetStream, AMQP) that feed a function. */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = "Event source mappings: broker messages delivered to a function in batches.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {SourcesCommand.Add.class, SourcesCommand.Ls.class, SourcesCommand.Rm.class,
                SourcesCommand.Enable.class, SourcesCommand.Disable.class})
final class SourcesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    enum Type { mqtt, nats, amqp }

    /** Exactly one thing to read from; --stream and --subject may also go together (NATS). */
    static final class Target {
        @Option(names = "--topic", paramLabel = "FILTER", description = "MQTT topic filter (+ and # wildcards).")
        String topic;

        @Option(names = "--subject", paramLabel = "SUBJECT",
                description = "NATS subject: filters --stream, or alone finds the JetStream stream that captures it.")
        String subject;

        @Option(names = "--stream", paramLabel = "STREAM", description = "NATS JetStream stream.")
        String stream;

        @Option(names = "--queue", paramLabel = "QUEUE", description = "AMQP (RabbitMQ) queue; it must exist.")
        String queue;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Map a broker topic, stream or queue to a function.")
    static final class Add implements Callable<Integer> {
        private final Cli cli;

        // --url is the broker's here, so the node's URL has its own name
        @Option(names = "--node-url", paramLabel = "URL",
                description = "Node base URL. Default: $CUMULUS_URL, else the url file in the data dir.")
        String nodeUrl;

        @Option(names = "--token", paramLabel = "TOKEN",
                description = "API token. Default: $CUMULUS_TOKEN, else the root-token file in the data dir.")
        String token;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Data dir of a local node, to find its url and root-token files.")
        java.nio.file.Path dataDir;

        @Parameters(index = "0", paramLabel = "NAME", description = "Name of the mapping.")
        String name;

        @Option(names = "--function", required = true, paramLabel = "F", description = "Function, NAME or NAME:QUALIFIER.")
        String function;

        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Broker: ${COMPLETION-CANDIDATES}.")
        Type type;

        @Option(names = "--url", required = true, paramLabel = "URL",
                description = "Broker URL, e.g. mqtt://host:1883, nats://host:4222, amqp://user:pass@host:5672/vhost.")
        String brokerUrl;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Target target;

        @Option(names = "--batch-size", paramLabel = "N", description = "Messages per invocation, 1-100 (default 10).")
        Integer batchSize;

        @Option(names = "--batch-window-ms", paramLabel = "N",
                description = "How long to wait to fill a batch, 0-5000 ms (default 0).")
        Integer batchWindowMs;

        @Option(names = "--ordered", description = "One batch in flight per topic / subject / queue, keeping their order.")
        boolean ordered;

        @Option(names = "--max-retries", paramLabel = "N", description = "Retries of a failed batch, 0-100 (default 3).")
        Integer maxRetries;

        @Option(names = "--on-failure", paramLabel = "DEST",
                description = "Where batches go once retries are used up: function:NAME or topic:NAME.")
        String onFailure;

        @Option(names = "--disabled", description = "Create it disabled.")
        boolean disabled;

        Add(Cli cli) {
            this.cli = cli;
        }

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("type", type.name());
            body.put("url", brokerUrl);
            if (target.topic != null) body.put("topic", target.topic);
            if (target.stream != null) body.put("stream", target.stream);
            if (target.subject != null) body.put("subject", target.subject);
            if (target.queue != null) body.put("queue", target.queue);
            body.put("function", function);
            if (batchSize != null) body.put("batchSize", batchSize);
            if (batchWindowMs != null) body.put("batchWindowMs", batchWindowMs);
            if (ordered) body.put("ordered", true);
            if (maxRetries != null) body.put("maxRetries", maxRetries);
            if (onFailure != null) body.put("onFailure", onFailure);
            if (disabled) body.put("enabled", false);
            return body;
        }

        @Override
        public Integer call() {
            JsonNode created = cli.client(new ClientOptions(nodeUrl, token, dataDir)).send("POST", "/v1/sources", body());
            cli.out.println("added source " + name + ": " + describe(created) + " -> " + function
                    + " (" + created.path("status").path("state").asText() + ")");
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List event source mappings with their status.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode answer = cli.client(client).get("/v1/sources");
            JsonNode sources = answer == null ? null : answer.get("sources");
            if (sources == null || sources.isEmpty()) {
                cli.err.println("no sources");
                return 0;
            }
            Text.Table table = new Text.Table("NAME", "TYPE", "FROM", "FUNCTION", "STATE", "IN-FLIGHT", "PROCESSED",
                    "FAILED", "LAST ERROR");
            for (JsonNode s : sources) {
                JsonNode status = s.path("status");
                String error = status.path("lastError").isNull() || status.path("lastError").isMissingNode() ? "-"
                        : status.path("lastErrorAt").asText() + " " + status.path("lastError").asText();
                table.row(s.path("name").asText(), s.path("type").asText(), describe(s), s.path("function").asText(),
                        status.path("state").asText(), status.path("inFlight").asInt(), status.path("processed").asLong(),
                        status.path("failed").asLong(), error);
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete an event source mapping.")
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
            cli.client(client).send("DELETE", "/v1/sources/" + ApiClient.segment(name), null);
            cli.out.println("removed source " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Start consuming again.")
    static final class Enable extends Toggle {
        Enable(Cli cli) {
            super(cli, "enable");
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Stop consuming (in-flight batches finish; the rest stays on the broker).")
    static final class Disable extends Toggle {
        Disable(Cli cli) {
            super(cli, "disable");
        }
    }

    /** enable and disable: one POST and the state that follows. */
    abstract static class Toggle implements Callable<Integer> {
        private final Cli cli;
        private final String action;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Toggle(Cli cli, String action) {
            this.cli = cli;
            this.action = action;
        }

        @Override
        public Integer call() {
            JsonNode answer = cli.client(client).send("POST", "/v1/sources/" + ApiClient.segment(name) + "/" + action, null);
            cli.out.println("source " + name + ": " + answer.path("status").path("state").asText());
            cli.out.flush();
            return 0;
        }
    }

    static String describe(JsonNode source) {
        for (String field : new String[] {"topic", "queue"}) {
            if (source.hasNonNull(field)) return field + " " + source.get(field).asText();
        }
        String stream = source.path("stream").asText(null);
        String subject = source.path("subject").asText(null);
        if (stream != null && subject != null) return "stream " + stream + " subject " + subject;
        return stream != null ? "stream " + stream : "subject " + subject;
    }
}
