package dev.cumulus.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A Runtime API server small enough to read: plain blocking channels, one thread per connection,
 * just the HTTP/1.1 the runtime speaks. Events are queued by the test; everything the runtime
 * posts lands in {@link #posts}.
 */
final class FakeRuntimeApi implements AutoCloseable {
    record Event(String requestId, String body, boolean chunked, Map<String, String> headers) {
        Event(String requestId, String body, boolean chunked) {
            this(requestId, body, chunked, Map.of());
        }
    }

    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** How the server ends a connection after answering, to exercise the client's reconnects. */
    enum Hangup { NEVER, WITH_CONNECTION_CLOSE, SILENTLY }

    final BlockingQueue<Request> posts = new LinkedBlockingQueue<>();
    final List<String> requestLines = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** What {@link #probeAtNext} said when the first {@code next} arrived. */
    final CompletableFuture<Boolean> firstNextProbe = new CompletableFuture<>();
    volatile BooleanSupplier probeAtNext = () -> true;
    /** Completes when a stem cell asks for its function ({@code GET /cumulus/v1/specialise}). */
    final CompletableFuture<Void> cellWaiting = new CompletableFuture<>();
    /** The specialisation's body ({@code {"environment": {...}}}), handed to the waiting cell. */
    final CompletableFuture<String> specialisation = new CompletableFuture<>();
    volatile Hangup hangup = Hangup.NEVER;

    private final ServerSocketChannel server;
    private final Path socketPath;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> clients = new CopyOnWriteArrayList<>();

    private FakeRuntimeApi(ServerSocketChannel server, Path socketPath) {
        this.server = server;
        this.socketPath = socketPath;
        Thread acceptor = Thread.ofPlatform().daemon().name("fake-runtime-api").start(this::acceptLoop);
        threads.add(acceptor);
    }

    static FakeRuntimeApi unix(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return new FakeRuntimeApi(server, socket);
    }

    static FakeRuntimeApi tcp() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new FakeRuntimeApi(server, null);
    }

    /** {@code host:port} for {@code AWS_LAMBDA_RUNTIME_API}. */
    String hostPort() throws IOException {
        InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    void enqueue(String requestId, String body) {
        events.add(new Event(requestId, body, false));
    }

    /** An event whose {@code invocation/next} answer carries extra headers (client context, Cognito identity). */
    void enqueue(String requestId, String body, Map<String, String> headers) {
        events.add(new Event(requestId, body, false, headers));
    }

    void enqueueChunked(String requestId, String body) {
        events.add(new Event(requestId, body, true));
    }

    Request nextPost() throws InterruptedException {
        Request r = posts.poll(30, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the runtime posted nothing within 30 s; requests so far: " + requestLines);
        }
        return r;
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel client = server.accept();
                connections.incrementAndGet();
                clients.add(client);
                threads.add(Thread.ofPlatform().daemon().start(() -> serve(client)));
            }
        } catch (IOException e) {
            // closed by close()
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = Channels.newOutputStream(client);
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                requestLines.add(requestLine);
                Map<String, String> headers = new TreeMap<>();
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    int colon = h.indexOf(':');
                    headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                byte[] body = in.readNBytes(length);
                String[] parts = requestLine.split(" ");
                boolean last;
                if (parts[0].equals("GET") && parts[1].equals("/2018-06-01/runtime/invocation/next")) {
                    firstNextProbe.complete(probeAtNext.getAsBoolean());
                    Event event = events.take();
                    Map<String, String> nextHeaders = new TreeMap<>(event.headers());
                    nextHeaders.putAll(Map.of(
                            "Lambda-Runtime-Aws-Request-Id", event.requestId(),
                            "Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000),
                            "Lambda-Runtime-Invoked-Function-Arn", "arn:cumulus:function:test",
                            "Lambda-Runtime-Trace-Id", "Root=1-test"));
                    last = respond(out, 200, event, nextHeaders);
                } else if (parts[0].equals("GET") && parts[1].equals(StemCell.SPECIALISE_PATH)) {
                    cellWaiting.complete(null);
                    last = respond(out, 200, new Event(null, specialisation.get(), false), Map.of());
                } else if (parts[0].equals("POST")) {
                    posts.add(new Request(parts[0], parts[1], headers, body));
                    // Like Lambda, refuse an answer for an invocation that is already over.
                    last = parts[1].contains("/late/")
                            ? respond(out, 410, new Event(null, "{\"errorType\":\"InvocationGone\"}", false), Map.of())
                            : respond(out, 202, new Event(null, "{\"status\":\"OK\"}", false), Map.of());
                } else {
                    last = respond(out, 404, new Event(null, "{}", false), Map.of());
                }
                if (last) {
                    return;
                }
            }
        } catch (IOException | InterruptedException | java.util.concurrent.ExecutionException e) {
            // connection or server closed
        }
    }

    private boolean respond(OutputStream out, int status, Event event, Map<String, String> headers)
            throws IOException {
        Hangup mode = hangup;
        byte[] body = event.body().getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n")
                .append("Content-Type: application/json\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (mode == Hangup.WITH_CONNECTION_CLOSE) {
            head.append("Connection: close\r\n");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (event.chunked()) {
            head.append("Transfer-Encoding: chunked\r\n\r\n");
            bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            int half = body.length / 2;
            chunk(bytes, body, 0, half);
            chunk(bytes, body, half, body.length - half);
            bytes.writeBytes("0\r\nX-Trailer: ignored\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        } else {
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            bytes.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            bytes.writeBytes(body);
        }
        out.write(bytes.toByteArray());
        out.flush();
        return mode != Hangup.NEVER;
    }

    private static void chunk(ByteArrayOutputStream out, byte[] body, int offset, int length) {
        if (length == 0) {
            return;
        }
        out.writeBytes((Integer.toHexString(length) + ";ext=1\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, offset, length);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : clients) {
            c.close();
        }
        threads.forEach(Thread::interrupt);
        if (socketPath != null) {
            Files.deleteIfExists(socketPath);
        }
    }
}
