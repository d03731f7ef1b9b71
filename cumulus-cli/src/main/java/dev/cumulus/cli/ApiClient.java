package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The REST API as the CLI uses it. Every failure comes out as a {@link CliException} whose
 * message is fit for one {@code error:} line: API errors carry the server's message and status,
 * a refused connection says that no node runs at the URL and how to start one.
 */
public final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Target target;
    private final String project;
    private final HttpClient http;

    public ApiClient(Target target) {
        this(target, null);
    }

    /** @param project sent as {@code X-Cumulus-Project} on every request, when not null */
    public ApiClient(Target target, String project) {
        this.target = target;
        this.project = project;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (target.pinnedCertificate() != null) {
            builder.sslContext(PinnedCertificate.sslContext(target.pinnedCertificate()));
        }
        this.http = builder.build();
    }

    public URI url() {
        return target.url();
    }

    /** Percent-encodes one path segment (names are {@code [A-Za-z0-9_-]}; {@code :} and {@code $} stay readable). */
    public static String segment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '$') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(target.url().toString() + pathAndQuery))
                .header("Authorization", "Bearer " + target.token())
                .header("User-Agent", "cumulus-cli");
        if (project != null) {
            builder.header(CliConfig.PROJECT_HEADER, project);
        }
        return builder;
    }

    /** The project every request names, or null. */
    public String project() {
        return project;
    }

    /** Sends and returns the response with its body still open; non-2xx answers become errors. */
    public HttpResponse<InputStream> stream(HttpRequest request) {
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 != 2) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            throw apiError(response.statusCode(), body, response);
        }
        return response;
    }

    /** Sends and reads the whole body, without judging the status: callers that need to see function errors use this. */
    public HttpResponse<byte[]> bytes(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends, fails on non-2xx, and parses the JSON answer (null for an empty body, e.g. 204). */
    public JsonNode json(HttpRequest request) {
        HttpResponse<byte[]> response = bytes(request);
        if (response.statusCode() / 100 != 2) {
            throw apiError(response.statusCode(), response.body(), response);
        }
        if (response.body().length == 0) {
            return null;
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(CliException.ERROR, "the node at " + target.url() + " answered " + request.method()
                    + " " + request.uri().getPath() + " with something that is not JSON", e);
        }
    }

    public JsonNode get(String path) {
        return json(request(path).GET().build());
    }

    public JsonNode send(String method, String path, Object jsonBody) {
        BodyPublisher body;
        try {
            body = jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(jsonBody));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpRequest.Builder b = request(path).method(method, body);
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        return json(b.build());
    }

    static CliException apiError(int status, byte[] body, HttpResponse<?> response) {
        String retryAfter = response == null ? null : response.headers().firstValue("Retry-After").orElse(null);
        return new CliException(ApiError.from(status, body, retryAfter).format());
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(130, "interrupted", e);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException(CliException.ERROR, "no answer from " + target.url() + " (connect timed out)", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(CliException.ERROR, "the node at " + target.url() + " did not answer in time", e);
        } catch (ConnectException e) {
            throw new CliException(CliException.ERROR, "the Cumulus node is not running at " + target.url()
                    + " (start it with 'cumulus serve', or point --url / CUMULUS_URL at a running node)", e);
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw new CliException(CliException.ERROR, "cannot trust the TLS certificate of " + target.url()
                    + (target.pinnedCertificate() != null ? " (it is not the one in " + target.pinnedCertificate() + ")"
                            : "; a node with its own certificate publishes it as <data dir>/tls-cert.pem, which the CLI"
                                    + " pins when --data-dir or CUMULUS_DATA names that dir"), e);
        } catch (InterruptedIOException e) {
            throw new CliException(130, "interrupted", e);
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new CliException(CliException.ERROR, "request to " + target.url() + " failed: " + msg, e);
        }
    }
}
