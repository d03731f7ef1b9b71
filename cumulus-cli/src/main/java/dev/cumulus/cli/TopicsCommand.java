package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cumulus topics}: publish/subscribe topics whose subscriptions invoke functions asynchronously. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Topics: events published to a topic invoke its subscribed functions asynchronously.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.Ls.class, TopicsCommand.Rm.class,
                TopicsCommand.Publish.class, TopicsCommand.Subscribe.class, TopicsCommand.Subscriptions.class,
                TopicsCommand.Unsubscribe.class})
final class TopicsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    private static String path(String topic) {
        return "/v1/topics/" + ApiClient.segment(topic);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic (nothing happens if it exists).")
    static final class Create implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        Create(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode answer = cli.client(client).send("PUT", path(name), null);
            cli.out.println((answer.path("created").asBoolean() ? "created topic " : "topic exists already: ") + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List topics.")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode topics = cli.client(client).get("/v1/topics").path("topics");
            if (topics.isEmpty()) {
                cli.err.println("no topics");
                return 0;
            }
            Text.Table table = new Text.Table("NAME", "SUBSCRIPTIONS", "CREATED");
            for (JsonNode t : topics) {
                table.row(t.path("name").asText(), t.path("subscriptions").asInt(), java.time.Instant.ofEpochMilli(t.path("createdAt").asLong()));
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a topic and its subscriptions.")
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
            cli.client(client).send("DELETE", path(name), null);
            cli.out.println("removed topic " + name);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = "Publish an event: every subscription whose filter takes it invokes its function.")
    static final class Publish implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = {"-d", "--data"}, required = true, paramLabel = "JSON|@FILE",
                description = "The event data: JSON, @FILE, or @- for stdin.")
        String data;

        @Option(names = "--type", paramLabel = "T", description = "CloudEvents type (default dev.cumulus.topic.event).")
        String type;

        @Option(names = "--source", paramLabel = "S", description = "CloudEvents source (default /v1/topics/TOPIC).")
        String source;

        @Option(names = "--subject", paramLabel = "S", description = "CloudEvents subject.")
        String subject;

        @Option(names = "--id", paramLabel = "ID",
                description = "Event id: publishing the same id again invokes no subscriber twice (default: a new one).")
        String id;

        Publish(Cli cli) {
            this.cli = cli;
        }

        String pathAndQuery() {
            StringBuilder p = new StringBuilder(path(topic)).append("/events");
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("type", type);
            attributes.put("source", source);
            attributes.put("subject", subject);
            attributes.put("id", id);
            attributes.forEach((name, value) -> {
                if (value != null) {
                    p.append(p.indexOf("?") < 0 ? '?' : '&').append(name).append('=')
                            .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
                }
            });
            return p.toString();
        }

        @Override
        public Integer call() {
            byte[] payload = Payloads.read(data, cli.cwd, cli.in);
            ApiClient api = cli.client(client);
            JsonNode answer = api.json(api.request(pathAndQuery()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build());
            cli.out.println(answer.path("eventId").asText());
            cli.out.flush();
            int n = answer.path("subscribers").asInt();
            cli.err.println("published to " + topic + ": " + n + (n == 1 ? " subscriber" : " subscribers"));
            for (JsonNode skipped : answer.path("skipped")) {
                cli.err.println("skipped subscription " + skipped.path("subscription").asText() + ": "
                        + skipped.path("reason").asText());
            }
            return 0;
        }
    }

    @Command(name = "subscribe", mixinStandardHelpOptions = true,
            description = "Subscribe a function: it is invoked asynchronously (with retries) for every matching event.")
    static final class Subscribe implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = "--function", required = true, paramLabel = "F", description = "Function, NAME or NAME:QUALIFIER.")
        String function;

        @Option(names = "--filter", paramLabel = "K=V[,K=V]",
                description = "Only events with this type=, source= (exact) or subject-prefix=; repeatable.")
        List<String> filters;

        @Option(names = "--payload-format", paramLabel = "FORMAT",
                description = "What the function gets: raw (the event data, default) or cloudevents (the whole event).")
        String payloadFormat;

        Subscribe(Cli cli) {
            this.cli = cli;
        }

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("function", function);
            Map<String, String> filter = filter(filters);
            if (!filter.isEmpty()) body.put("filter", filter);
            if (payloadFormat != null) {
                if (!payloadFormat.equals("raw") && !payloadFormat.equals("cloudevents")) {
                    throw CliException.usage("--payload-format must be raw or cloudevents");
                }
                body.put("payloadFormat", payloadFormat);
            }
            return body;
        }

        @Override
        public Integer call() {
            JsonNode created = cli.client(client).send("POST", path(topic) + "/subscriptions", body());
            cli.out.println(created.path("id").asText());
            cli.out.flush();
            cli.err.println("subscribed " + function + " to " + topic + describe(created.path("filter")));
            return 0;
        }
    }

    /** {@code type=a,source=b} and {@code subject-prefix=c} as the API's filter object. */
    static Map<String, String> filter(List<String> specs) {
        Map<String, String> filter = new LinkedHashMap<>();
        if (specs == null) {
            return filter;
        }
        for (String spec : specs) {
            for (String part : spec.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw CliException.usage("--filter takes KEY=VALUE pairs (type, source, subject-prefix), not '" + part + "'");
                }
                String key = switch (part.substring(0, eq).strip()) {
                    case "type" -> "type";
                    case "source" -> "source";
                    case "subject-prefix" -> "subjectPrefix";
                    default -> throw CliException.usage("--filter key '" + part.substring(0, eq)
                            + "' is not one of type, source, subject-prefix");
                };
                if (filter.put(key, part.substring(eq + 1)) != null) {
                    throw CliException.usage("--filter gives " + part.substring(0, eq) + " twice");
                }
            }
        }
        return filter;
    }

    static String describe(JsonNode filter) {
        if (filter == null || filter.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" where");
        filter.properties().forEach(e -> sb.append(' ').append(e.getKey()).append('=').append(e.getValue().asText()));
        return sb.toString();
    }

    @Command(name = "subscriptions", mixinStandardHelpOptions = true, description = "List a topic's subscriptions.")
    static final class Subscriptions implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        Subscriptions(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            JsonNode subs = cli.client(client).get(path(topic) + "/subscriptions").path("subscriptions");
            if (subs.isEmpty()) {
                cli.err.println("no subscriptions");
                return 0;
            }
            Text.Table table = new Text.Table("ID", "FUNCTION", "FILTER", "PAYLOAD");
            for (JsonNode s : subs) {
                String filter = describe(s.path("filter"));
                table.row(s.path("id").asText(), s.path("function").asText(),
                        filter.isEmpty() ? "-" : filter.substring(" where ".length()), s.path("payloadFormat").asText());
            }
            table.print(cli.out);
            return 0;
        }
    }

    @Command(name = "unsubscribe", mixinStandardHelpOptions = true, description = "Delete a subscription.")
    static final class Unsubscribe implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        Unsubscribe(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            cli.client(client).send("DELETE", path(topic) + "/subscriptions/" + ApiClient.segment(id), null);
            cli.out.println("removed subscription " + id + " of " + topic);
            cli.out.flush();
            return 0;
        }
    }
}
