package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A hostile function: opens {@code {"connections": n}} connections to its own Runtime API socket
 * and asks for {@code invocation/next} on each, counts every kind of refusal (a connect that fails,
 * a connection the node closes, a 403, a 429), closes the refused connections, logs the counts,
 * keeps the rest waiting for {@code holdSeconds} and answers with the counts.
 *
 * <p>A failed connect is a refusal too: the Java runtime runs handlers on virtual threads, where a
 * Unix-socket connect to a full accept queue fails at once (EAGAIN) instead of waiting.
 */
public class RuntimeApiFlood implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final byte[] NEXT = ("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    /** How long the node has been quiet before the counts are taken. */
    private static final long QUIET_MS = 1_000;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        int wanted = ((Number) input.get("connections")).intValue();
        long holdMs = ((Number) input.get("holdSeconds")).longValue() * 1_000;
        var socket = UnixDomainSocketAddress.of(System.getenv("CUMULUS_RUNTIME_SOCKET"));
        List<SocketChannel> open = new ArrayList<>();
        int notConnected = 0;
        int refused = 0;
        int forbidden = 0;
        int tooMany = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < wanted; i++) {
                SocketChannel channel;
                try {
                    channel = SocketChannel.open(socket);
                } catch (IOException queueFull) {
                    notConnected++;
                    continue;
                }
                try {
                    channel.write(ByteBuffer.wrap(NEXT));
                } catch (IOException closedAlready) {
                    refused++;
                    channel.close();
                    continue;
                }
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                open.add(channel);
            }
            // whatever the node says now is a refusal: a poll that is let through stays silent
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (selector.select(QUIET_MS) > 0) {
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel channel = (SocketChannel) key.channel();
                    buffer.clear();
                    int n;
                    try {
                        n = channel.read(buffer);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    String answer = n < 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.US_ASCII);
                    if (n < 0) {
                        refused++;
                    } else if (answer.startsWith("HTTP/1.1 403")) {
                        forbidden++;
                    } else if (answer.startsWith("HTTP/1.1 429")) {
                        tooMany++;
                    } else {
                        continue;
                    }
                    key.cancel();
                    open.remove(channel);
                    channel.close();
                }
                selector.selectedKeys().clear();
            }
            Map<String, Object> counts = Map.of("attempted", wanted, "connectFailed", notConnected,
                    "closedByNode", refused, "refused403", forbidden, "refused429", tooMany, "waiting", open.size());
            context.logger().log("flood in place: " + counts);
            Thread.sleep(holdMs);
            for (SocketChannel channel : open) {
                channel.close();
            }
            return counts;
        } catch (IOException e) {
            throw new IllegalStateException("the flood failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
