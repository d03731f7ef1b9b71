package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cumulus db}: the document database (docs/database.md) through {@code /v1/db} in the
 * current project, as an operator (IAM), so beyond the collections' rules.
 */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = "The document database: collections, documents, queries, rules and indexes.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {DbCommand.Collections.class, DbCommand.Get.class, DbCommand.Put.class, DbCommand.Query.class,
                DbCommand.Rules.class, DbCommand.Indexes.class})
final class DbCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    static String collectionPath(String collection) {
        return "/v1/db/collections/" + ApiClient.segment(collection);
    }

    static void print(Cli cli, JsonNode node) {
        try {
            cli.out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        cli.out.flush();
    }

    /** The collection's settings as stored, or an empty object when there is no such collection yet. */
    static ObjectNode settings(ApiClient client, String collection) {
        for (JsonNode c : client.get("/v1/db/collections").path("collections")) {
            if (c.path("name").asText().equals(collection) && c.path("settings").isObject()) {
                return (ObjectNode) c.get("settings").deepCopy();
            }
        }
        return ApiClient.JSON.createObjectNode();
    }

    @Command(name = "collections", mixinStandardHelpOptions = true,
            description = "List the project's collections: name, documents, last change of settings.")
    static final class Collections implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        Collections(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            for (JsonNode c : cli.client(client).get("/v1/db/collections").path("collections")) {
                cli.out.printf("%-32s %10d  %s%n", c.path("name").asText(), c.path("documents").asLong(),
                        c.path("updatedAt").asText());
            }
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print a document: id, data, version, times.")
    static final class Get implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        Get(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            print(cli, cli.client(client).get(collectionPath(collection) + "/documents/" + ApiClient.segment(id)));
            return 0;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Write a document: replace (or create) ID, or create one with a new id when ID is left out.",
                    "Prints the document as stored."})
    static final class Put implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "COLLECTION")
        String collection;

        @Parameters(index = "1", arity = "0..1", paramLabel = "ID")
        String id;

        @Option(names = {"-d", "--data"}, required = true, paramLabel = "JSON|@FILE",
                description = "The document (a JSON object): inline, @FILE, or @- for stdin.")
        String data;

        Put(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            JsonNode document = ApiClient.JSON.readTree(Payloads.read(data, cli.cwd, cli.in));
            if (!document.isObject()) {
                throw CliException.usage("--data must be a JSON object (a document)");
            }
            ApiClient api = cli.client(client);
            print(cli, id == null ? api.send("POST", collectionPath(collection) + "/documents", document)
                    : api.send("PUT", collectionPath(collection) + "/documents/" + ApiClient.segment(id), document));
            return 0;
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Query a collection; prints one document per line (JSON) and, on stderr, the cursor of the",
                    "next page. The query is --query's JSON ({where, orderBy, limit, cursor, count}, see",
                    "docs/documents.md), or built from --where, --order-by, --limit, --cursor and --count."})
    static final class Query implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "COLLECTION")
        String collection;

        @Option(names = {"-q", "--query"}, paramLabel = "JSON|@FILE", description = "The whole query: inline, @FILE or @-.")
        String query;

        @Option(names = {"-w", "--where"}, paramLabel = "JSON",
                description = "A condition, e.g. '{\"field\":\"price\",\"op\":\"<\",\"value\":10}'.")
        String where;

        @Option(names = "--order-by", split = ",", paramLabel = "FIELD",
                description = "Fields to order by, comma-separated; -FIELD for descending.")
        List<String> orderBy;

        @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N documents (1-1000; node default 100).")
        Integer limit;

        @Option(names = "--cursor", paramLabel = "CURSOR", description = "Go on after a previous page.")
        String cursor;

        @Option(names = "--count", description = "Print only how many documents match.")
        boolean count;

        Query(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            ObjectNode body;
            if (query != null) {
                JsonNode parsed = ApiClient.JSON.readTree(Payloads.read(query, cli.cwd, cli.in));
                if (!parsed.isObject()) {
                    throw CliException.usage("--query must be a JSON object");
                }
                body = (ObjectNode) parsed;
            } else {
                body = ApiClient.JSON.createObjectNode();
            }
            if (where != null) {
                Payloads.checkJson(where.getBytes(java.nio.charset.StandardCharsets.UTF_8), "--where");
                body.set("where", ApiClient.JSON.readTree(where));
            }
            if (orderBy != null) {
                ArrayNode order = body.putArray("orderBy");
                for (String field : orderBy) {
                    boolean desc = field.startsWith("-");
                    order.addObject().put("field", desc ? field.substring(1) : field).put("direction", desc ? "desc" : "asc");
                }
            }
            if (limit != null) {
                body.put("limit", limit);
            }
            if (cursor != null) {
                body.put("cursor", cursor);
            }
            if (count) {
                body.put("count", true);
            }
            JsonNode answer = cli.client(client).send("POST", collectionPath(collection) + "/query", body);
            if (answer.has("count")) {
                cli.out.println(answer.get("count").asLong());
            } else {
                for (JsonNode doc : answer.path("documents")) {
                    cli.out.println(ApiClient.JSON.writeValueAsString(doc));
                }
                if (answer.hasNonNull("nextCursor")) {
                    cli.err.println("next page: --cursor " + answer.get("nextCursor").asText());
                }
            }
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "rules", mixinStandardHelpOptions = true,
            description = {"Print a collection's access rules, or set them from FILE (JSON or YAML: the rules object,",
                    "or a 'cumulus rules test' file, whose 'rules' are taken). Setting keeps the other settings and",
                    "creates the collection when there is none."})
    static final class Rules implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "COLLECTION")
        String collection;

        @Option(names = "--set", paramLabel = "FILE", description = "The rules to set.")
        Path file;

        Rules(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ApiClient api = cli.client(client);
            if (file == null) {
                JsonNode rules = api.get(collectionPath(collection)).path("settings").path("rules");
                print(cli, rules.isMissingNode() ? ApiClient.JSON.createObjectNode() : rules);
                return 0;
            }
            JsonNode tree = RulesCommand.readRulesFile(cli.cwd, file);
            JsonNode rules = tree.has("rules") ? tree.get("rules") : tree;
            if (!rules.isObject()) {
                throw CliException.usage(file + ": the rules are an object of read, list, create, update, delete");
            }
            ObjectNode settings = settings(api, collection);
            settings.set("rules", rules);
            api.send("PUT", collectionPath(collection), settings);
            cli.out.println("rules of " + collection + " set: " + String.join(", ", iterable(rules.fieldNames())));
            cli.out.flush();
            return 0;
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    @Command(name = "indexes", mixinStandardHelpOptions = true,
            description = {"Print a collection's declared indexes (field paths), or set them with --set. Setting keeps",
                    "the other settings and creates the collection when there is none; --set '' declares none."})
    static final class Indexes implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "COLLECTION")
        String collection;

        @Option(names = "--set", paramLabel = "FIELD[,FIELD...]", description = "The field paths to index, e.g. price,address.city.")
        String fields;

        Indexes(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ApiClient api = cli.client(client);
            if (fields == null) {
                for (JsonNode field : api.get(collectionPath(collection)).path("settings").path("indexes")) {
                    cli.out.println(field.asText());
                }
                cli.out.flush();
                return 0;
            }
            ObjectNode settings = settings(api, collection);
            ArrayNode indexes = settings.putArray("indexes");
            for (String field : fields.split(",")) {
                if (!field.isBlank()) {
                    indexes.add(field.strip());
                }
            }
            api.send("PUT", collectionPath(collection), settings);
            cli.out.println("indexes of " + collection + ": " + (indexes.isEmpty() ? "none" : fields.strip()));
            cli.out.flush();
            return 0;
        }
    }
}
