package dev.cumulus.runtimeapi;

import dev.cumulus.web.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;

/**
 * One Jetty server for every instance's Runtime API; each instance gets its own Unix socket
 * connector, added when the instance starts and removed when it goes.
 *
 * <p>The server has its own threads, apart from the edge's, and no instance can take more than
 * its share of them: a socket keeps at most {@link #SPARE_CONNECTIONS} connections beyond the
 * instance's concurrency open (more are closed as they open) and serves at most
 * {@link #SPARE_POLLS} {@code invocation/next} long polls beyond it (more are answered 429 at
 * once). An instance flooding its own socket therefore holds a handful of virtual threads and
 * sockets, whatever it tries.
 *
 * <p>A socket of an instance whose runtime takes its invocations over frames
 * ({@link Invocations#OVER_FRAMES}) serves no {@code invocation/next} at all: every one is
 * answered 403 and its connection closed, so code inside such an instance can park no poll here
 * (docs/adr/0042-framed-runtime-transport.md).
 */
public final class RuntimeApiServer implements AutoCloseable {
    /** Payload limits of the Lambda Runtime API: 6 MB each way for synchronous invocations. */
    public static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
    /**
     * Connections an instance may hold beyond its concurrency: a runtime keeps one per poller;
     * the spare ones carry node service calls and a connection being replaced.
     */
    static final int SPARE_CONNECTIONS = 4;
    /** Long polls an instance may have waiting beyond its concurrency. */
    static final int SPARE_POLLS = 2;

    /** How the runtime behind a socket takes its invocations. */
    public enum Invocations {
        /** {@code invocation/next} long polls: {@code provided} runtimes and Lambda's runtime clients. */
        OVER_HTTP,
        /**
         * The framed transport (the Java runtime): the socket carries node services and
         * specialisation only, and refuses {@code invocation/next}.
         */
        OVER_FRAMES
    }

    private final Server server;
    private final Map<Connector, Binding> channels = new ConcurrentHashMap<>();
    private final java.util.List<InstanceService> services = new java.util.concurrent.CopyOnWriteArrayList<>();

    private RuntimeApiServer(Server server) {
        this.server = server;
    }

    public static RuntimeApiServer start() throws IOException {
        Server server = Servers.newServer("runtime-api");
        RuntimeApiServer api = new RuntimeApiServer(server);
        server.setHandler(new RuntimeApiHandler(api.channels::get, api.services));
        try {
            server.start();
        } catch (Exception e) {
            throw new IOException("cannot start the Runtime API server", e);
        }
        return api;
    }

    /**
     * Serves {@code service} to every instance; services come after the server because they are
     * built later in the node's start (they need the invokers, which need the scheduler, which
     * needs this server).
     */
    public void serve(InstanceService service) {
        services.add(service);
    }

    /**
     * Listens on {@code socket} for one instance and routes its calls to {@code channel}. The
     * socket is world-connectable because the sandboxed process runs as another user; the
     * directory holding it is what the sandbox exposes, and nothing else can reach it.
     */
    public Endpoint open(Path socket, RuntimeChannel channel) throws IOException {
        return open(socket, channel, Invocations.OVER_HTTP);
    }

    /** As {@link #open(Path, RuntimeChannel)}, for a runtime that takes its invocations as {@code invocations} says. */
    public Endpoint open(Path socket, RuntimeChannel channel, Invocations invocations) throws IOException {
        Files.deleteIfExists(socket);
        UnixDomainServerConnector connector = new UnixDomainServerConnector(server, 1, 1, Servers.http1());
        connector.setUnixDomainPath(socket);
        connector.setIdleTimeout(0); // invocation/next is a long poll with no upper bound
        bind(connector, channel, invocations);
        try {
            connector.start();
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (Exception e) {
            closeConnector(connector);
            throw new IOException("cannot listen on " + socket, e);
        }
        return new Endpoint(this, connector, socket);
    }

    /**
     * Listens on a free port of 127.0.0.1 for one instance: for runtimes that speak TCP where
     * instances share the host's network (the plain-process sandbox). Anything on the host can
     * connect, which is no worse than such instances already are.
     */
    public Endpoint openLoopback(RuntimeChannel channel) throws IOException {
        ServerConnector connector = new ServerConnector(server, 1, 1, Servers.http1());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(0);
        bind(connector, channel, Invocations.OVER_HTTP);
        try {
            connector.start();
        } catch (Exception e) {
            closeConnector(connector);
            throw new IOException("cannot listen on 127.0.0.1", e);
        }
        return new Endpoint(this, connector, null);
    }

    private void bind(Connector connector, RuntimeChannel channel, Invocations invocations) {
        Binding binding = new Binding(channel, invocations);
        channels.put(connector, binding);
        connector.addEventListener(binding);
        server.addConnector(connector);
    }

    private void closeConnector(Connector connector) {
        channels.remove(connector);
        try {
            connector.stop();
        } catch (Exception ignored) {
            // the socket file is removed below either way
        }
        server.removeConnector(connector);
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }

    /**
     * Which channel a socket serves and what its instance holds of the server: connections are
     * counted here as they open and close, long polls by the handler.
     */
    static final class Binding implements Connection.Listener {
        volatile RuntimeChannel channel;
        /** Fixed for the socket's life: a stem cell's runtime is the instance's after specialisation. */
        final Invocations invocations;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger polls = new AtomicInteger();

        Binding(RuntimeChannel channel, Invocations invocations) {
            this.channel = channel;
            this.invocations = invocations;
        }

        @Override
        public void onOpened(Connection connection) {
            if (connections.incrementAndGet() > channel.concurrency() + SPARE_CONNECTIONS) {
                connection.getEndPoint().close(); // onClosed counts it out again
            }
        }

        @Override
        public void onClosed(Connection connection) {
            connections.decrementAndGet();
        }

        /** Takes a long-poll place; false when the instance has all it may have waiting. */
        boolean startPoll() {
            if (polls.incrementAndGet() > channel.concurrency() + SPARE_POLLS) {
                polls.decrementAndGet();
                return false;
            }
            return true;
        }

        void endPoll() {
            polls.decrementAndGet();
        }
    }

    /** One instance's socket; closing it stops listening and removes the socket file. */
    public static final class Endpoint implements AutoCloseable {
        private final RuntimeApiServer owner;
        private final Connector connector;
        private final Path socket;

        private Endpoint(RuntimeApiServer owner, Connector connector, Path socket) {
            this.owner = owner;
            this.connector = connector;
            this.socket = socket;
        }

        /** The Unix socket, or null for a loopback endpoint. */
        public Path socket() {
            return socket;
        }

        /** {@code 127.0.0.1:port} of a loopback endpoint, the form of {@code AWS_LAMBDA_RUNTIME_API}. */
        public String loopbackAddress() {
            return connector instanceof ServerConnector tcp ? "127.0.0.1:" + tcp.getLocalPort() : null;
        }

        /**
         * Routes this socket's next calls to another channel: a stem cell's connection becomes
         * the instance's when the cell is specialised. Calls already waiting stay where they are.
         */
        public void rebind(RuntimeChannel channel) {
            Binding binding = owner.channels.get(connector);
            if (binding != null) {
                binding.channel = channel;
            }
        }

        @Override
        public void close() {
            owner.closeConnector(connector);
            if (socket == null) {
                return;
            }
            try {
                Files.deleteIfExists(socket);
            } catch (IOException ignored) {
                // the instance directory is removed with the instance
            }
        }
    }
}
