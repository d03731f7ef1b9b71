package dev.cumulus.edge;

import dev.cumulus.web.Servers;
import java.io.IOException;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

/** The node's public HTTP listener. */
public final class EdgeServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final String host;

    private final EdgeHandler handler;

    private EdgeServer(Server server, ServerConnector connector, String host, EdgeHandler handler) {
        this.handler = handler;
        this.server = server;
        this.connector = connector;
        this.host = host;
    }

    public static EdgeServer start(String host, int port, EdgeApi api) throws IOException {
        Server server = Servers.newServer("edge");
        ServerConnector connector = new ServerConnector(server, 1, 1, Servers.http1());
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(120_000);
        server.addConnector(connector);
        EdgeHandler handler = new EdgeHandler(api);
        // graceful: on stop, refuse new requests and let in-flight invocations finish
        server.setHandler(new GracefulHandler(handler));
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
        return new EdgeServer(server, connector, host, handler);
    }

    public URI url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + connector.getLocalPort());
    }

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
