package dev.cumulus.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * How a node tells the other nodes of its cluster that something changed, and hears them tell it
 * (ADR 0041). A notice is a hint to look again at shared state (the database), never the state
 * itself: the bus may lose or delay one (a broken connection, a slow node) and whoever relies on it
 * must also look now and then on its own. A node never hears its own notices: what it does locally
 * it wakes locally.
 *
 * <p>Subjects are dot-separated tokens under {@code cumulus.}; a subscription may end in {@code >}
 * (every subject below). {@link #token} makes any name a safe token.
 */
public interface ClusterBus extends AutoCloseable {
    /** A notice another node published: its subject and body. */
    record Notice(String subject, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** This node's id in the cluster: what its notices carry so that it ignores their echo. */
    String nodeId();

    /** Tells the other nodes; never blocks for long and never throws for a notice it could not send. */
    void publish(String subject, byte[] body);

    /**
     * Runs {@code receiver} for every notice other nodes publish on {@code subject} (which may end in
     * {@code >}), on the bus's thread: keep it short. Close the result to stop.
     */
    AutoCloseable subscribe(String subject, Consumer<Notice> receiver);

    @Override
    void close();

    /** A node on its own (embedded, or a cluster without a bus): there is no one to tell or hear. */
    static ClusterBus alone(String nodeId) {
        return new ClusterBus() {
            @Override
            public String nodeId() {
                return nodeId;
            }

            @Override
            public void publish(String subject, byte[] body) {
                // no other node
            }

            @Override
            public AutoCloseable subscribe(String subject, Consumer<Notice> receiver) {
                return () -> {};
            }

            @Override
            public void close() {}

            @Override
            public String toString() {
                return "alone";
            }
        };
    }

    /**
     * Connects to NATS at {@code url} ({@code nats://HOST:PORT}, or {@code tls://}); a node that
     * names a bus it cannot reach does not start: an {@link IOException} that says so.
     */
    static ClusterBus connect(String url, String nodeId) throws IOException {
        return NatsClusterBus.connect(url, nodeId);
    }

    /**
     * {@code name} as one subject token: letters, digits and {@code -} stay, every other character
     * (the token separator {@code .}, the wildcards, whitespace, {@code _} itself) becomes
     * {@code _} and its UTF-8 bytes in hex, so two names never share a token.
     */
    static String token(String name) {
        if (name.isEmpty()) {
            return "_";
        }
        StringBuilder t = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-')) {
                t.append(c);
            } else {
                t.append('_').append(String.format("%02x", b & 0xff));
            }
        }
        return t.toString();
    }
}
