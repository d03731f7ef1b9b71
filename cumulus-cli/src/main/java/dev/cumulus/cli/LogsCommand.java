package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a function's log lines as 'time requestId line'.",
                "With --follow, keep streaming new lines until interrupted (Ctrl+C)."})
final class LogsCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--follow"}, description = "Keep the stream open and print new lines as they come.")
    boolean follow;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "At most N recent lines (server default otherwise).")
    Integer limit;

    LogsCommand(Cli cli) {
        this.cli = cli;
    }

    String path() {
        StringBuilder p = new StringBuilder("/v1/functions/").append(ApiClient.segment(name)).append("/logs");
        String sep = "?";
        if (limit != null) {
            p.append(sep).append("limit=").append(limit);
            sep = "&";
        }
        if (follow) {
            p.append(sep).append("follow=true");
        }
        return p.toString();
    }

    @Override
    public Integer call() throws IOException {
        Names.check(name);
        if (limit != null && limit < 1) {
            throw CliException.usage("--limit must be at least 1");
        }
        ApiClient api = cli.client(client);
        HttpResponse<InputStream> response = api.stream(api.request(path()).GET().build());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String raw;
            int printed = 0;
            while ((raw = reader.readLine()) != null) {
                if (raw.isBlank()) {
                    continue;
                }
                cli.out.println(format(raw));
                cli.out.flush();
                printed++;
            }
            if (printed == 0 && !follow) {
                cli.err.println("no log lines for " + name + " (yet): what a function prints, its context.logger()"
                        + " lines and the node's notes on its failures appear here");
                cli.err.flush();
            }
        } catch (IOException e) {
            if (!follow) {
                throw new CliException(CliException.ERROR, "log stream from " + api.url() + " broke: " + e.getMessage(), e);
            }
            throw new CliException(CliException.ERROR, "lost the log stream from " + api.url() + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /**
     * One NDJSON record as {@code time requestId line}; a line that is not JSON is printed as it
     * is. Either way with its control characters escaped ({@link #escapeControls}).
     */
    static String format(String ndjsonLine) {
        try {
            JsonNode n = ApiClient.JSON.readTree(ndjsonLine);
            if (n == null || !n.isObject()) {
                return escapeControls(ndjsonLine);
            }
            String rid = n.path("requestId").asText("");
            return escapeControls(n.path("time").asText("-") + " " + (rid.isEmpty() || rid.equals("null") ? "-" : rid)
                    + " " + n.path("line").asText(""));
        } catch (IOException e) {
            return escapeControls(ndjsonLine);
        }
    }

    /**
     * What a function prints reaches the operator's terminal: escape sequences in it could
     * rewrite the screen, hide lines or fake the node's own. Control characters (C0 but the tab
     * of REPORT lines, DEL, C1) are printed as a backslash, {@code x} and two hex digits, carriage
     * returns and newlines as backslash-r and backslash-n, and the invisible bidirectional
     * overrides as a backslash, {@code u} and four hex digits.
     */
    static String escapeControls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String escaped = switch (c) {
                case '\t' -> null;
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> Character.isISOControl(c) ? String.format("\\x%02x", (int) c)
                        : isBidiControl(c) ? String.format("\\u%04x", (int) c) : null;
            };
            if (escaped != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (escaped != null) {
                    out.append(escaped);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f'
                || c == '\u061c';
    }
}
