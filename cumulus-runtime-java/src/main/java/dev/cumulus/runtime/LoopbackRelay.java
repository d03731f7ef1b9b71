package dev.cumulus.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The node's S3 API at {@code http://127.0.0.1:<port>/s3} inside the sandbox (ADR 0039), for
 * clients that speak only TCP, such as the AWS SDKs: a byte pump from that loopback port to the
 * instance's Runtime API socket, where the node serves {@code /s3} for this instance. It rewrites
 * nothing, so what the SDK signed is what the node verifies. The node asks for it with
 * {@code CUMULUS_S3_RELAY} only where the sandbox's loopback is its own (its own network
 * namespace), so the port is reachable from nowhere else.
 */
final class LoopbackRelay {
    static final String VARIABLE = "CUMULUS_S3_RELAY";
    /** The pumps only copy bytes: a small stack each. */
    private static final long STACK = 128 * 1024;

    private LoopbackRelay() {}

    /**
     * Listens on the port {@code CUMULUS_S3_RELAY} names ({@code 127.0.0.1:<port>}), if it names
     * one, and pumps each connection to {@code socket}. Platform threads with small stacks, not
     * virtual ones: the runtime uses no virtual threads otherwise, and starting their scheduler
     * would cost the cold start milliseconds; a bind and one thread waiting in accept cost well
     * under one, so the relay starts with the function (the SDK connects directly: no later hook).
     *
     * @return the listening socket, or null when it does not listen
     */
    static ServerSocket start(String address, String socket, java.io.PrintStream err) {
        if (address == null || socket == null || !address.startsWith("127.0.0.1:")) {
            return null;
        }
        ServerSocket server;
        try {
            int port = Integer.parseInt(address.substring("127.0.0.1:".length()));
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException | RuntimeException e) {
            err.println("cumulus-runtime: the S3 endpoint on " + address + " is unavailable: " + e);
            return null;
        }
        UnixDomainSocketAddress target = UnixDomainSocketAddress.of(Path.of(socket));
        Thread.ofPlatform().daemon().stackSize(STACK).name("s3-relay").start(() -> {
            while (true) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofPlatform().daemon().stackSize(STACK).name("s3-relay-down").start(() -> pump(client, target));
            }
        });
        return server;
    }

    private static void pump(Socket client, UnixDomainSocketAddress target) {
        try (client; SocketChannel node = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            node.connect(target);
            InputStream fromNode = Channels.newInputStream(node);
            OutputStream toNode = Channels.newOutputStream(node);
            Thread up = Thread.ofPlatform().daemon().stackSize(STACK).name("s3-relay-up").start(() -> {
                try {
                    client.getInputStream().transferTo(toNode);
                    node.shutdownOutput();
                } catch (IOException ignored) {
                    // the client went away; the other direction ends with it
                }
            });
            try {
                fromNode.transferTo(client.getOutputStream());
                client.shutdownOutput();
            } catch (IOException ignored) {
                // the node closed the connection
            }
            up.join();
        } catch (IOException ignored) {
            // the socket is gone: the instance is stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
