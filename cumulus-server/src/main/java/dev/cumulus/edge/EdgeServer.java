package dev.cumulus.edge;

import dev.cumulus.web.Servers;
import java.io.IOException;
import java.net.URI;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * The node's public HTTP listener. What keeps slow and many clients from taking it over: handler
 * threads are not capped (see {@link Servers}) but admitted per kind of traffic
 * ({@link Admission}), request bodies have deadlines ({@link dev.cumulus.web.BodyDeadline}), and
 * past {@link #MAX_CONNECTIONS} open connections the listener stops accepting and idle
 * connections are given {@link #CROWDED_IDLE_TIMEOUT_MS} instead of the usual two minutes.
 * HTTP/1.1, or HTTPS with HTTP/2 offered by ALPN (see {@link EdgeTls}). A node whose instances
 * are not isolated says so on every response ({@value #SANDBOX_HEADER}).
 */
public final class EdgeServer implements AutoCloseable {
    /** Set to {@code none} on every response of a node that runs functions as plain processes. */
    public static final String SANDBOX_HEADER = "X-Cumulus-Sandbox";
    /** Open connections over all clients; far below the node's file limit, far above honest use. */
    static final int MAX_CONNECTIONS = 4_096;
    static final long CROWDED_IDLE_TIMEOUT_MS = 5_000;

    private final Server server;
    private final ServerConnector connector;
    private final String host;
    private final boolean https;

    private final EdgeHandler handler;

    private EdgeServer(Server server, ServerConnector connector, String host, boolean https, EdgeHandler handler) {
        this.handler = handler;
        this.server = server;
        this.connector = connector;
        this.host = host;
        this.https = https;
    }

    /**
     * @param tls the certificate to serve, or null for plain HTTP
     * @param sandbox the node's sandbox kind, for /healthz and, when not isolated, every response
     */
    public static EdgeServer start(String host, int port, TlsCredentials tls, String sandbox, boolean isolated,
            EdgeApi api) throws IOException {
        Server server = Servers.newServer("edge");
        ServerConnector connector = tls == null
                ? new ServerConnector(server, 1, 1, Servers.http1())
                : new ServerConnector(server, 1, 1, tls.connectionFactories(Servers.http1().getHttpConfiguration()));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        ConnectionLimit limit = new ConnectionLimit(MAX_CONNECTIONS, connector);
        limit.setIdleTimeout(CROWDED_IDLE_TIMEOUT_MS);
        server.addBean(limit);
        EdgeHandler handler = new EdgeHandler(api, Admission.defaults(), sandbox, isolated);
        // graceful: on stop, refuse new requests and let in-flight invocations finish
        server.setHandler(new GracefulHandler(handler));
        // WebSocket upgrades (the document database's realtime route upgrades itself, ADR 0033)
        ServerWebSocketContainer webSockets = ServerWebSocketContainer.ensure(server);
        webSockets.setIdleTimeout(java.time.Duration.ofMinutes(2));
        webSockets.setMaxTextMessageSize(64 * 1024);
        server.setStopTimeout(30_000);
        server.setErrorHandler(new JsonErrorHandler());
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // reporting the start failure matters more
            }
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new EdgeServer(server, connector, host, tls != null, handler);
    }

    /** Where clients on this machine reach the node: a wildcard bind answers on loopback. */
    public URI url() {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host.equals("::") ? "[::1]"
                : host.contains(":") ? "[" + host + "]" : host;
        return URI.create((https ? "https://" : "http://") + h + ":" + connector.getLocalPort());
    }

    /** What the listener holds now: open connections and live threads. */
    public Load load() {
        return new Load(connector.getConnectedEndPoints().size(), Servers.threads(server));
    }

    /** Every API the edge serves, with its routes: what the IAM docs and tests enumerate. */
    public java.util.List<dev.cumulus.web.Api> apis() {
        return handler.apis();
    }

    /** A snapshot of {@link #load()}. */
    public record Load(int connections, int threads) {}

    /** Stops accepting requests; in-flight ones finish within the stop timeout. */
    @Override
    public void close() {
        handler.stopping();
        try {
            server.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }
}
