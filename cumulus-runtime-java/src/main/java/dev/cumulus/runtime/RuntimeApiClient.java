package dev.cumulus.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The Lambda Runtime API (2018-06-01) as four calls over one kept-alive HTTP connection. */
final class RuntimeApiClient implements Closeable {
    static final String BASE = "/2018-06-01/runtime";
    static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";

    private final HttpConnection http;
    private final PrintStream diagnostics;

    RuntimeApiClient(HttpConnection http, PrintStream diagnostics) {
        this.http = http;
        this.diagnostics = diagnostics;
    }

    /** Blocks until the node has an event for this instance. */
    Invocation next() throws IOException {
        HttpResponse r = http.exchange("GET", BASE + "/invocation/next", null, null, null);
        if (r.status() != 200) {
            throw new IOException("invocation/next answered " + r.status() + ": " + text(r.body()));
        }
        String id = r.header("lambda-runtime-aws-request-id");
        if (id == null || id.isEmpty()) {
            throw new IOException("invocation/next answered without Lambda-Runtime-Aws-Request-Id");
        }
        return new Invocation(id, deadline(r.header("lambda-runtime-deadline-ms")),
                r.header("lambda-runtime-invoked-function-arn"), r.header("lambda-runtime-trace-id"),
                r.header("lambda-runtime-client-context"), r.header("lambda-runtime-cognito-identity"), r.body(),
                r.header("cumulus-cloud-event"), r.header("lambda-runtime-cumulus-token"));
    }

    void postResponse(String requestId, byte[] json) throws IOException {
        HttpResponse r = http.exchange("POST", BASE + "/invocation/" + pathSegment(requestId) + "/response",
                null, null, json);
        // The node refuses late or oversized answers; the instance itself is still healthy.
        warnUnlessAccepted("response for " + requestId, r);
    }

    void postError(String requestId, String errorType, byte[] json) throws IOException {
        HttpResponse r = http.exchange("POST", BASE + "/invocation/" + pathSegment(requestId) + "/error",
                ERROR_TYPE_HEADER, errorType, json);
        warnUnlessAccepted("error for " + requestId, r);
    }

    void postInitError(String errorType, byte[] json) throws IOException {
        HttpResponse r = http.exchange("POST", BASE + "/init/error", ERROR_TYPE_HEADER, errorType, json);
        warnUnlessAccepted("init error", r);
    }

    private void warnUnlessAccepted(String what, HttpResponse r) {
        if (r.status() / 100 != 2) {
            diagnostics.println("cumulus-runtime: the node refused the " + what + " with HTTP " + r.status()
                    + ": " + text(r.body()));
        }
    }

    /** A missing or garbled deadline means "no deadline" rather than "already late". */
    private static long deadline(String header) {
        if (header != null) {
            try {
                return Long.parseLong(header.trim());
            } catch (NumberFormatException ignored) {
                // fall through
            }
        }
        return Long.MAX_VALUE;
    }

    /** Request ids are UUIDs in practice; escaping keeps a hostile one from rewriting the path. */
    static String pathSegment(String id) {
        StringBuilder sb = null;
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            boolean safe = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '_' || b == '.' || b == '~';
            if (safe && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(bytes.length * 3).append(id, 0, i);
            }
            if (safe) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return sb == null ? id : sb.toString();
    }

    private static String text(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    @Override
    public void close() {
        http.close();
    }
}
