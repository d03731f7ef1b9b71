package dev.cumulus.runtime;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over one persistent blocking {@link SocketChannel}, on a Unix domain
 * socket or TCP. It is all the runtime needs to talk to the node: {@code java.net.http} would load
 * hundreds of classes and start a selector thread on every cold start, and cannot speak over a
 * Unix socket at all. Reads block without a timeout because {@code invocation/next} is a long poll.
 */
final class HttpConnection implements Closeable {
    private static final int MAX_LINE = 16 * 1024;

    private final SocketAddress address;
    private final String host;
    private final ByteBuffer in = ByteBuffer.allocate(16 * 1024).flip();
    private SocketChannel channel;
    /** Whether the current channel has carried a response: only then may a dead one be retried. */
    private boolean reused;

    private HttpConnection(SocketAddress address, String host) {
        this.address = address;
        this.host = host;
    }

    static HttpConnection unix(String socketPath) {
        return new HttpConnection(UnixDomainSocketAddress.of(socketPath), "localhost");
    }

    /** {@code host:port}, with IPv6 hosts in brackets, as in {@code AWS_LAMBDA_RUNTIME_API}. */
    static HttpConnection tcp(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
        String hostName = hostPort.substring(0, colon);
        if (hostName.startsWith("[") && hostName.endsWith("]")) {
            hostName = hostName.substring(1, hostName.length() - 1);
        }
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        return new HttpConnection(new InetSocketAddress(hostName, port), hostPort);
    }

    /**
     * Sends one request and reads its response. A keep-alive connection the server closed while
     * idle is reopened once; a request on a fresh connection is never repeated.
     */
    HttpResponse exchange(String method, String path, String extraHeaderName, String extraHeaderValue, byte[] body)
            throws IOException {
        return exchange(method, path, extraHeaderName == null ? new String[0]
                : new String[] {extraHeaderName, extraHeaderValue}, body);
    }

    /** As above with any number of extra headers, given as name, value, name, value... */
    HttpResponse exchange(String method, String path, String[] extraHeaders, byte[] body) throws IOException {
        byte[] head = head(method, path, extraHeaders, body);
        boolean retry = channel != null && reused;
        try {
            return send(head, body);
        } catch (IOException e) {
            close();
            if (!retry || !(e instanceof StaleConnection)) {
                throw e;
            }
            return send(head, body);
        }
    }

    private HttpResponse send(byte[] head, byte[] body) throws IOException {
        if (channel == null) {
            channel = SocketChannel.open(address);
            if (!(address instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            in.clear().flip();
            reused = false;
        }
        try {
            writeFully(body == null ? new ByteBuffer[] {ByteBuffer.wrap(head)}
                    : new ByteBuffer[] {ByteBuffer.wrap(head), ByteBuffer.wrap(body)});
        } catch (IOException e) {
            throw reused ? new StaleConnection(e) : e;
        }
        HttpResponse response = readResponse();
        reused = true;
        return response;
    }

    private byte[] head(String method, String path, String[] headers, byte[] body) {
        StringBuilder sb = new StringBuilder(160).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("User-Agent: cumulus-runtime-java\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (body != null) {
            sb.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private void writeFully(ByteBuffer[] buffers) throws IOException {
        // The first buffer is the never-empty head; the last may be an empty body.
        while (buffers[0].hasRemaining() || buffers[buffers.length - 1].hasRemaining()) {
            channel.write(buffers);
        }
    }

    private HttpResponse readResponse() throws IOException {
        while (true) {
            String statusLine;
            try {
                statusLine = readLine();
            } catch (IOException e) {
                // EOF or a reset before any answer: the server had given up on this idle
                // connection. A repeated post is harmless, the node refuses a second answer.
                throw reused ? new StaleConnection(e) : e;
            }
            int status = parseStatus(statusLine);
            Map<String, String> headers = readHeaders();
            if (status >= 100 && status < 200) {
                continue; // interim responses (100 Continue) precede the real one
            }
            byte[] body = readBody(status, headers);
            if ("close".equalsIgnoreCase(headers.get("connection"))) {
                close();
            }
            return new HttpResponse(status, headers, body);
        }
    }

    private static int parseStatus(String line) throws IOException {
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new IOException("malformed HTTP status line: " + line);
        }
        try {
            return Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("malformed HTTP status line: " + line);
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed HTTP header: " + line);
            }
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    JoinHeaders.INSTANCE);
        }
        return headers;
    }

    /** Repeated headers join with a comma (RFC 9110 5.3); a class, not a lambda, to keep start-up lean. */
    private enum JoinHeaders implements java.util.function.BiFunction<String, String, String> {
        INSTANCE;

        @Override
        public String apply(String a, String b) {
            return a + ", " + b;
        }
    }

    private byte[] readBody(int status, Map<String, String> headers) throws IOException {
        String encoding = headers.get("transfer-encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).endsWith("chunked")) {
            return readChunked();
        }
        String length = headers.get("content-length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length);
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length: " + length);
            }
            if (n < 0 || n > Integer.MAX_VALUE - 8) {
                throw new IOException("unsupported Content-Length: " + length);
            }
            byte[] body = new byte[(int) n];
            readFully(body, 0, body.length);
            return body;
        }
        if (status == 204 || status == 304) {
            return new byte[0];
        }
        // No framing: the body runs to the end of the connection (RFC 9112 6.3).
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (fill()) {
            out.write(in.array(), in.position(), in.remaining());
            in.position(in.limit());
        }
        close();
        return out.toByteArray();
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String line = readLine();
            int semicolon = line.indexOf(';');
            String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + line);
            }
            if (size < 0) {
                throw new IOException("malformed chunk size: " + line);
            }
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers carry nothing the runtime uses
                }
                return out.toByteArray();
            }
            byte[] chunk = new byte[size];
            readFully(chunk, 0, size);
            out.write(chunk, 0, size);
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private void readFully(byte[] target, int offset, int length) throws IOException {
        while (length > 0) {
            if (!in.hasRemaining() && !fill()) {
                throw new EOFException("connection closed in the middle of a response body");
            }
            int n = Math.min(length, in.remaining());
            in.get(target, offset, n);
            offset += n;
            length -= n;
        }
    }

    /** A line without its CRLF (a bare LF is tolerated), decoded as ISO-8859-1 as HTTP/1.1 headers are. */
    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            if (!in.hasRemaining() && !fill()) {
                throw new EOFException("connection closed by the Runtime API server");
            }
            byte b = in.get();
            if (b == '\n') {
                int end = sb.length();
                if (end > 0 && sb.charAt(end - 1) == '\r') {
                    sb.setLength(end - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("HTTP line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) (b & 0xFF));
        }
    }

    private boolean fill() throws IOException {
        if (channel == null) {
            return false;
        }
        in.compact();
        try {
            int n = channel.read(in);
            return n > 0;
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful can be done about a failing close
            }
            channel = null;
        }
    }

    /** The server had closed a kept-alive connection before our request reached it. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
