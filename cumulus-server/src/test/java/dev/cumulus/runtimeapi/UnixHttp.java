package dev.cumulus.runtimeapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a Unix socket, written by hand so a test controls every byte a runtime sends:
 * chunked bodies and trailers included. One request per connection. Public for the scheduler's
 * tests of an instance behind the real Runtime API server.
 */
public final class UnixHttp {
    private UnixHttp() {}

    public record Reply(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public static Reply get(Path socket, String path) throws IOException {
        return send(socket, "GET " + path + " HTTP/1.1\r\nHost: rt\r\nConnection: close\r\n\r\n", new byte[0]);
    }

    public static Reply post(Path socket, String path, Map<String, String> headers, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: rt\r\nConnection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        return send(socket, head.toString(), body);
    }

    /** A chunked body, one chunk per part, then {@code trailers}. */
    static Reply postChunked(Path socket, String path, Map<String, String> headers, Map<String, String> trailers,
            String... parts) throws IOException {
        StringBuilder message = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: rt\r\nConnection: close\r\n");
        headers.forEach((k, v) -> message.append(k).append(": ").append(v).append("\r\n"));
        message.append("Transfer-Encoding: chunked\r\n");
        if (!trailers.isEmpty()) {
            message.append("Trailer: ").append(String.join(", ", trailers.keySet())).append("\r\n");
        }
        message.append("\r\n");
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            message.append(Integer.toHexString(bytes.length)).append("\r\n").append(part).append("\r\n");
        }
        message.append("0\r\n");
        trailers.forEach((k, v) -> message.append(k).append(": ").append(v).append("\r\n"));
        message.append("\r\n");
        return send(socket, message.toString(), new byte[0]);
    }

    private static Reply send(Path socket, String head, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(head.getBytes(StandardCharsets.UTF_8));
            request.writeBytes(body);
            // read while writing: a server refusing a body answers and closes before reading it
            // all, and a close with unread data resets the connection, which would throw away an
            // answer still waiting to be read once the write is done
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> readUntilClosed(channel, received));
            ByteBuffer out = ByteBuffer.wrap(request.toByteArray());
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException closedEarly) {
                // the server answered and closed before reading a body it refuses; its answer is read
            }
            try {
                reader.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the answer", e);
            }
            String raw;
            synchronized (received) {
                raw = received.toString(StandardCharsets.UTF_8);
            }
            if (!raw.contains("\r\n\r\n")) {
                throw new IOException("the connection ended before a whole answer head: " + raw);
            }
            return parse(raw);
        }
    }

    /** Everything the server sends until it closes; a reset after the answer ends the read like a close. */
    private static void readUntilClosed(SocketChannel channel, ByteArrayOutputStream into) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (channel.read(buffer.clear()) >= 0) {
                synchronized (into) {
                    into.write(buffer.array(), 0, buffer.position());
                }
            }
        } catch (IOException reset) {
            // the caller decides whether what arrived before is a whole answer
        }
    }

    private static Reply parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Reply(status, headers, raw.substring(end + 4));
    }
}
