package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.auth.SigV4;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cumulus storage}: buckets and objects (docs/storage.md) through the native API
 * {@code /v1/storage}. Objects are named {@code s3://BUCKET/KEY}, as the AWS CLI names them.
 */
@Command(name = "storage", mixinStandardHelpOptions = true,
        description = "Object storage: buckets of objects, also served S3-compatibly under /s3.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {StorageCommand.Mb.class, StorageCommand.Rb.class, StorageCommand.Ls.class,
                StorageCommand.Cp.class, StorageCommand.Rm.class, StorageCommand.Presign.class})
final class StorageCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** A listing's time, as {@code aws s3 ls} shows it: {@code 2026-12-05 07:30:00} (UTC). */
    static String time(long epochMillis) {
        return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT)
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochMilli(epochMillis));
    }

    /** {@code s3://bucket/key}: the bucket and the key (empty for the bucket itself). */
    record Location(String bucket, String key) {
        static boolean is(String text) {
            return text.startsWith("s3://");
        }

        static Location parse(String text) {
            if (!is(text) || text.length() == 5) {
                throw CliException.usage("'" + text + "' is not s3://BUCKET[/KEY]");
            }
            String rest = text.substring(5);
            int slash = rest.indexOf('/');
            return slash < 0 ? new Location(rest, "") : new Location(rest.substring(0, slash), rest.substring(slash + 1));
        }

        String bucketPath() {
            return "/v1/storage/buckets/" + ApiClient.segment(bucket);
        }

        String objectPath() {
            if (key.isEmpty()) {
                throw CliException.usage("s3://" + bucket + "/ names no object: give s3://BUCKET/KEY");
            }
            return bucketPath() + "/objects/" + encodedKey();
        }

        String encodedKey() {
            StringBuilder out = new StringBuilder();
            for (String segment : key.split("/", -1)) {
                if (!out.isEmpty() || key.startsWith("/")) {
                    out.append('/');
                }
                out.append(ApiClient.segment(segment));
            }
            return out.toString();
        }
    }

    @Command(name = "mb", mixinStandardHelpOptions = true, description = "Make a bucket.")
    static final class Mb implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "s3://BUCKET")
        String bucket;

        Mb(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Location at = Location.parse(bucket);
            cli.client(client).send("PUT", at.bucketPath(), null);
            cli.out.println("make_bucket: " + at.bucket());
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "rb", mixinStandardHelpOptions = true, description = "Remove an empty bucket.")
    static final class Rb implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "s3://BUCKET")
        String bucket;

        Rb(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Location at = Location.parse(bucket);
            cli.client(client).send("DELETE", at.bucketPath(), null);
            cli.out.println("remove_bucket: " + at.bucket());
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List buckets, or the objects of s3://BUCKET[/PREFIX] (keys below '/' shown as PRE).")
    static final class Ls implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", arity = "0..1", paramLabel = "s3://BUCKET[/PREFIX]")
        String location;

        @Option(names = {"-r", "--recursive"}, description = "Every key under the prefix, not rolled up at '/'.")
        boolean recursive;

        Ls(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            ApiClient api = cli.client(client);
            if (location == null) {
                for (JsonNode b : api.get("/v1/storage/buckets").path("buckets")) {
                    cli.out.println(time(b.path("createdAt").asLong()) + "  " + b.path("name").asText());
                }
                cli.out.flush();
                return 0;
            }
            Location at = Location.parse(location);
            String after = null;
            do {
                String query = "?prefix=" + ApiClient.segment(at.key()) + (recursive ? "" : "&delimiter=%2F")
                        + (after == null ? "" : "&after=" + ApiClient.segment(after));
                JsonNode page = api.get(at.bucketPath() + "/objects" + query);
                for (JsonNode p : page.path("commonPrefixes")) {
                    cli.out.println(String.format(Locale.ROOT, "%30s PRE %s", "", p.asText().substring(at.key().lastIndexOf('/') + 1)));
                }
                for (JsonNode o : page.path("objects")) {
                    cli.out.println(String.format(Locale.ROOT, "%s %10d %s", time(o.path("createdAt").asLong()),
                            o.path("size").asLong(), recursive ? o.path("key").asText()
                            : o.path("key").asText().substring(at.key().lastIndexOf('/') + 1)));
                }
                after = page.hasNonNull("next") ? page.get("next").asText() : null;
            } while (after != null);
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "cp", mixinStandardHelpOptions = true,
            description = "Copy a local file to s3://BUCKET/KEY, or an object to a local file ('-' for stdout);"
                    + " a progress bar on stderr when it is a terminal.")
    static final class Cp implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET")
        String target;

        @Option(names = "--content-type", description = "The object's content type (uploads; default: guessed from the name).")
        String contentType;

        Cp(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() throws IOException {
            ApiClient api = cli.client(client);
            if (Location.is(source) == Location.is(target)) {
                throw CliException.usage("copy a local file to s3://BUCKET/KEY or back");
            }
            if (Location.is(target)) {
                Path file = Path.of(source);
                if (!Files.isRegularFile(file)) {
                    throw CliException.usage("no such file: " + source);
                }
                Location at = Location.parse(target);
                if (at.key().isEmpty() || at.key().endsWith("/")) {
                    at = new Location(at.bucket(), at.key() + file.getFileName());
                }
                String type = contentType != null ? contentType : Files.probeContentType(file);
                HttpRequest.BodyPublisher body = new ProgressPublisher(HttpRequest.BodyPublishers.ofFile(file),
                        file.getFileName().toString(), cli.err, cli.errTerminal);
                HttpRequest.Builder request = api.request(at.objectPath()).PUT(body);
                if (type != null) {
                    request.header("Content-Type", type);
                }
                JsonNode put = api.json(request.build());
                cli.out.println("upload: " + source + " to s3://" + at.bucket() + "/" + at.key() + " (etag "
                        + put.path("etag").asText() + ")");
                cli.out.flush();
                return 0;
            }
            Location at = Location.parse(source);
            HttpResponse<InputStream> response = api.stream(api.request(at.objectPath()).GET().build());
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream in = response.body()) {
                if (target.equals("-")) {
                    copy(in, cli.out, total, null);
                    cli.out.flush();
                    return 0;
                }
                Path file = Path.of(target);
                if (Files.isDirectory(file)) {
                    file = file.resolve(at.key().substring(at.key().lastIndexOf('/') + 1));
                }
                Path partial = file.resolveSibling(file.getFileName() + ".part");
                try (OutputStream out = Files.newOutputStream(partial)) {
                    copy(in, out, total, at.key());
                }
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
                cli.out.println("download: s3://" + at.bucket() + "/" + at.key() + " to " + file);
                cli.out.flush();
            }
            return 0;
        }

        private void copy(InputStream in, OutputStream out, long total, String label) throws IOException {
            Progress progress = label == null ? null : new Progress(label, total, cli.err, cli.errTerminal);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (progress != null) {
                    progress.add(n);
                }
            }
            if (progress != null) {
                progress.done();
            }
        }
    }

    /** A download's progress on stderr: a redrawn line on a terminal, else nothing until the end. */
    static final class Progress {
        private final String label;
        private final long total;
        private final PrintStream err;
        private final boolean terminal;
        private long received;
        private long lastDraw;

        Progress(String label, long total, PrintStream err, boolean terminal) {
            this.label = label;
            this.total = total;
            this.err = err;
            this.terminal = terminal;
        }

        void add(long n) {
            received += n;
            long now = System.nanoTime();
            if (terminal && now - lastDraw > 100_000_000L) {
                lastDraw = now;
                draw();
            }
        }

        void done() {
            if (terminal) {
                draw();
                err.println();
                err.flush();
            }
        }

        private void draw() {
            int pct = total > 0 ? (int) (received * 100 / total) : 100;
            err.print(String.format(Locale.ROOT, "\rdownloading %s  %s / %s  %3d%%", label, Text.bytes(received),
                    total < 0 ? "?" : Text.bytes(total), pct));
            err.flush();
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove an object.")
    static final class Rm implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "s3://BUCKET/KEY")
        String location;

        Rm(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Location at = Location.parse(location);
            cli.client(client).send("DELETE", at.objectPath(), null);
            cli.out.println("delete: s3://" + at.bucket() + "/" + at.key());
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "presign", mixinStandardHelpOptions = true,
            description = "Print a presigned URL of the S3 API for s3://BUCKET/KEY, signed with an access key"
                    + " (--access-key-id/--secret-access-key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): anyone"
                    + " holding it may GET (or with --put, PUT) the object until it expires.")
    static final class Presign implements Callable<Integer> {
        private final Cli cli;

        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "s3://BUCKET/KEY")
        String location;

        @Option(names = "--expires-in", defaultValue = "3600", description = "Seconds the URL works (at most 604800; default ${DEFAULT-VALUE}).")
        long expiresIn;

        @Option(names = "--put", description = "A URL to upload the object with PUT instead of reading it.")
        boolean put;

        @Option(names = "--access-key-id", description = "The access key to sign with (default: $AWS_ACCESS_KEY_ID).")
        String accessKeyId;

        @Option(names = "--secret-access-key", description = "Its secret (default: $AWS_SECRET_ACCESS_KEY).")
        String secretAccessKey;

        Presign(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Location at = Location.parse(location);
            if (at.key().isEmpty()) {
                throw CliException.usage("give s3://BUCKET/KEY");
            }
            String id = accessKeyId != null ? accessKeyId : cli.env.get("AWS_ACCESS_KEY_ID");
            String secret = secretAccessKey != null ? secretAccessKey : cli.env.get("AWS_SECRET_ACCESS_KEY");
            if (id == null || secret == null) {
                throw CliException.usage("presigning needs an access key: --access-key-id and"
                        + " --secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (cumulus keys create)");
            }
            if (expiresIn < 1 || expiresIn > SigV4.MAX_PRESIGNED.toSeconds()) {
                throw CliException.usage("--expires-in is 1 to " + SigV4.MAX_PRESIGNED.toSeconds()
                        + " seconds");
            }
            URI base = cli.client(client).url();
            URI object = URI.create(base.toString().replaceAll("/$", "") + "/s3/" + ApiClient.segment(at.bucket()) + "/"
                    + at.encodedKey());
            URI url = SigV4.presign(put ? "PUT" : "GET", object, id, secret, "us-east-1", "s3", Instant.now(),
                    Duration.ofSeconds(expiresIn));
            cli.out.println(url);
            cli.out.flush();
            return 0;
        }
    }
}
