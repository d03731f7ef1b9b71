package dev.cumulus.cluster;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster bus on core NATS through jnats (ADR 0041): plain publish/subscribe, no JetStream,
 * because a notice lost while a node is away is one its own periodic look makes up for. The first
 * connect must succeed (a node that names a bus does not start without it); after that the library
 * reconnects for as long as the node runs, said at WARN on every loss and every return, and
 * re-subscribes by itself. Each notice carries the publishing node's id in a header so that a node
 * drops its own echo.
 */
final class NatsClusterBus implements ClusterBus {
    private static final Logger LOG = LoggerFactory.getLogger(NatsClusterBus.class);
    static final String NODE_HEADER = "Cumulus-Node";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RECONNECT_WAIT = Duration.ofMillis(500);

    private final Connection connection;
    private final String nodeId;
    private final String url;

    private NatsClusterBus(Connection connection, String nodeId, String url) {
        this.connection = connection;
        this.nodeId = nodeId;
        this.url = url;
    }

    static NatsClusterBus connect(String server, String nodeId) throws IOException {
        String url = shown(server); // what logs and errors say: never the login
        // before the first connect succeeds a failure is the start's error, not a reconnect to announce
        java.util.concurrent.atomic.AtomicBoolean connected = new java.util.concurrent.atomic.AtomicBoolean();
        Options options = new Options.Builder()
                .server(server)
                .connectionName("cumulus-node-" + nodeId)
                .connectionTimeout(CONNECT_TIMEOUT)
                .maxReconnects(-1) // for as long as the node runs: the look covers the gap
                .reconnectWait(RECONNECT_WAIT)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connectionEvent(Connection conn, Events type) {
                        if (!connected.get()) {
                            return;
                        }
                        switch (type) {
                            case DISCONNECTED -> LOG.warn("cluster bus {}: disconnected; reconnecting (realtime "
                                    + "subscriptions see other nodes' writes at their next look meanwhile)", url);
                            case RECONNECTED -> LOG.warn("cluster bus {}: reconnected", url);
                            default -> LOG.debug("cluster bus {}: {}", url, type);
                        }
                    }
                })
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        LOG.warn("cluster bus {}: {}", url, error);
                    }

                    @Override
                    public void exceptionOccurred(Connection conn, Exception exp) {
                        if (connected.get()) {
                            LOG.warn("cluster bus {}: {}", url, exp.toString());
                        }
                    }
                })
                .build();
        try {
            Connection connection = Nats.connect(options);
            connected.set(true);
            return new NatsClusterBus(connection, nodeId, url);
        } catch (IOException e) {
            // no cause attached: the library's message or trace may name the server with its login
            throw new IOException("the cluster bus " + url + " is not reachable (" + scrub(server, String.valueOf(e.getMessage()))
                    + "); the node does not start without the bus it was told to use");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to the cluster bus " + url, e);
        }
    }

    /** {@code text} with the URL's user info, wherever it appears, as {@code ***}. */
    static String scrub(String server, String text) {
        try {
            String login = new java.net.URI(server).getRawUserInfo();
            return login == null ? text : text.replace(login, "***");
        } catch (java.net.URISyntaxException e) {
            return "(not shown)";
        }
    }

    /** The URL without its user info ({@code nats://USER:PASS@...} as {@code nats://***@...}). */
    static String shown(String server) {
        try {
            java.net.URI uri = new java.net.URI(server);
            if (uri.getRawUserInfo() == null) {
                return server;
            }
            return new java.net.URI(uri.getScheme(), "***", uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(),
                    uri.getFragment()).toString();
        } catch (java.net.URISyntaxException e) {
            return "(the cluster bus URL, not shown)";
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public void publish(String subject, byte[] body) {
        Headers headers = new Headers().put(NODE_HEADER, nodeId);
        try {
            // while reconnecting, jnats buffers it and sends it on return (or drops it when full)
            connection.publish(subject, headers, body);
        } catch (IllegalStateException | IllegalArgumentException notSent) {
            LOG.debug("cluster bus {}: notice on {} not sent: {}", url, subject, notSent.getMessage());
        }
    }

    @Override
    public AutoCloseable subscribe(String subject, Consumer<Notice> receiver) {
        Dispatcher dispatcher = connection.createDispatcher(message -> {
            Headers headers = message.getHeaders();
            if (headers != null && nodeId.equals(headers.getFirst(NODE_HEADER))) {
                return; // our own
            }
            try {
                receiver.accept(new Notice(message.getSubject(), message.getData()));
            } catch (RuntimeException e) {
                LOG.warn("cluster bus {}: a notice on {} failed: {}", url, message.getSubject(), e.toString());
            }
        });
        dispatcher.subscribe(subject);
        return () -> {
            if (connection.getStatus() != Connection.Status.CLOSED) {
                connection.closeDispatcher(dispatcher);
            }
        };
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return url;
    }
}
