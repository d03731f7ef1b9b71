package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Probes acting as the caller ({@code Context.documents().asCaller()}) where it must be refused.
 * {@code {"record": R}} (invoked directly or by a topic event) tries {@code asCaller()} and, as
 * its role, writes the outcome to {@code probes/R}; {@code {"token": true}} answers its own
 * execution token; {@code {"foreignToken": T}} calls the database on its socket by hand with
 * {@code T} (another function's token) and with no token at all where the invocation's own is
 * due, answering each status and body; behind a route with {@code auth: user} it sends both the
 * as-caller and the on-behalf-of header.
 */
public class CallerProbe implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final String DOC = "/cumulus/v1/api/db/collections/stock/documents/probe";

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        String own = context.token().orElse("");
        if (input.get("headers") instanceof Map<?, ?>) {
            out.put("both", raw("GET", DOC, "X-Cumulus-As-Caller", own, "X-Cumulus-On-Behalf-Of", "Bearer x"));
            return out;
        }
        if (input.get("record") instanceof String record) {
            String outcome;
            try {
                context.documents().asCaller().get("stock", "probe");
                outcome = "allowed";
            } catch (ServiceException e) {
                outcome = e.status() + " " + e.errorType();
            }
            context.documents().put("probes", record, Map.of("asCaller", outcome));
            out.put("asCaller", outcome);
            return out;
        }
        if (Boolean.TRUE.equals(input.get("token"))) {
            out.put("token", own);
            return out;
        }
        String foreign = String.valueOf(input.get("foreignToken"));
        out.put("foreignAsCaller", raw("GET", DOC, "X-Cumulus-As-Caller", foreign));
        out.put("noTokenAsCaller", raw("GET", DOC, "X-Cumulus-As-Caller", "not-a-token"));
        out.put("foreignInvocation", raw("PUT", DOC, "X-Cumulus-Invocation", foreign));
        return out;
    }

    /**
     * One request on the Runtime API socket, by hand as another runtime would make it (HTTP/1.1,
     * one request per connection): "status body".
     */
    private static String raw(String method, String path, String... headers) {
        String socket = System.getenv("CUMULUS_RUNTIME_SOCKET");
        String api = System.getenv("AWS_LAMBDA_RUNTIME_API");
        byte[] body = method.equals("PUT") ? "{\"by\":\"hand\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        SocketAddress address = socket != null ? UnixDomainSocketAddress.of(socket)
                : new InetSocketAddress(api.substring(0, api.lastIndexOf(':')),
                        Integer.parseInt(api.substring(api.lastIndexOf(':') + 1)));
        try (SocketChannel channel = SocketChannel.open(address)) {
            channel.write(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.UTF_8)));
            channel.write(ByteBuffer.wrap(body));
            String answer = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
            int headEnd = answer.indexOf("\r\n\r\n");
            return answer.substring(9, 12) + " " + (headEnd < 0 ? "" : answer.substring(headEnd + 4));
        } catch (IOException | RuntimeException e) {
            return "0 " + e;
        }
    }
}
