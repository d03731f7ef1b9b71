package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "invoke", mixinStandardHelpOptions = true,
        description = {"Invoke a function synchronously and print its result on stdout.",
                "Request id, cold start and billed time go to stderr; a function error exits 1.",
                "With --async the event is queued durably and delivered later with retries: prints",
                "{\"requestId\",\"duplicate\"}; follow it with 'cumulus invocations NAME'."})
final class InvokeCommand implements Callable<Integer> {
    private final Cli cli;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME[:VERSION]", description = "Function, optionally a published version.")
    String function;

    @Option(names = {"-d", "--data"}, paramLabel = "JSON|@FILE",
            description = "The event: inline JSON, @FILE, or @- for stdin. Default: {}.")
    String data;

    @Option(names = "--async", description = "Queue the event (invocation type Event) instead of waiting for the result.")
    boolean async;

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "With --async: repeats with the same key are one event (same request id back).")
    String idempotencyKey;

    InvokeCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        Names.checkQualified(function);
        if (idempotencyKey != null && !async) {
            throw CliException.usage("--idempotency-key needs --async");
        }
        byte[] payload = Payloads.read(data, cli.cwd, cli.in);
        ApiClient api = cli.client(client);
        if (async) {
            return invokeAsync(api, payload);
        }
        HttpResponse<byte[]> response = api.bytes(api.request("/v1/functions/" + ApiClient.segment(function) + "/invoke")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build());
        Optional<String> functionError = response.headers().firstValue("X-Cumulus-Function-Error");
        if (response.statusCode() / 100 != 2 && functionError.isEmpty()) {
            throw ApiClient.apiError(response.statusCode(), response.body(), response);
        }
        byte[] body = response.body();
        cli.out.write(body);
        if (body.length > 0 && body[body.length - 1] != '\n') {
            cli.out.println();
        }
        cli.out.flush();
        cli.err.println(meta(response));
        if (functionError.isPresent()) {
            cli.err.println("error: function " + function + " failed (" + functionError.get() + ")" + errorSummary(body));
            cli.err.flush();
            return CliException.ERROR;
        }
        cli.err.flush();
        return 0;
    }

    private int invokeAsync(ApiClient api, byte[] payload) {
        HttpRequest.Builder request = api.request("/v1/functions/" + ApiClient.segment(function) + "/invoke")
                .header("Content-Type", "application/json")
                .header("X-Cumulus-Invocation-Type", "Event")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        if (idempotencyKey != null) {
            request.header("X-Cumulus-Idempotency-Key", idempotencyKey);
        }
        JsonNode accepted = api.json(request.build());
        cli.out.println(accepted);
        cli.out.flush();
        cli.err.println("queued: request-id " + accepted.path("requestId").asText("-")
                + (accepted.path("duplicate").asBoolean() ? " (duplicate of an earlier event with this key)" : ""));
        cli.err.flush();
        return 0;
    }

    static String meta(HttpResponse<?> response) {
        var h = response.headers();
        return "request-id " + h.firstValue("X-Cumulus-Request-Id").orElse("-")
                + "  cold " + h.firstValue("X-Cumulus-Cold-Start").orElse("-")
                + "  billed " + h.firstValue("X-Cumulus-Billed-Ms").map(ms -> ms + " ms").orElse("-");
    }

    private static String errorSummary(byte[] body) {
        try {
            JsonNode n = ApiClient.JSON.readTree(body);
            String type = n.path("errorType").asText("");
            String msg = n.path("errorMessage").asText("");
            String s = (type + (type.isEmpty() || msg.isEmpty() ? "" : ": ") + msg).strip();
            return s.isEmpty() ? "" : ": " + Cli.oneLine(s);
        } catch (Exception e) {
            return "";
        }
    }
}
