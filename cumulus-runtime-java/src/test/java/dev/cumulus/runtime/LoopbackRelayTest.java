package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's loopback relay to its socket (ADR 0039): bytes through unchanged, both ways. */
class LoopbackRelayTest {
    @TempDir
    Path dir;

    @Test
    void pumpsBytesBothWaysUnchangedBetweenTheLoopbackPortAndTheSocket() throws Exception {
        Path socket = dir.resolve("rt.sock");
        try (ServerSocketChannel node = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            node.bind(UnixDomainSocketAddress.of(socket));
            // the node's side: answers what it got, reversed, then closes
            Thread.ofPlatform().daemon().start(() -> {
                try (SocketChannel accepted = node.accept()) {
                    InputStream in = Channels.newInputStream(accepted);
                    byte[] request = in.readNBytes(11);
                    OutputStream out = Channels.newOutputStream(accepted);
                    out.write(new StringBuilder(new String(request, StandardCharsets.US_ASCII)).reverse().toString()
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the assertion below fails instead
                }
            });
            ServerSocket relay = LoopbackRelay.start("127.0.0.1:0", socket.toString(), System.err);
            assertThat(relay).isNotNull();
            try (relay; Socket client = new Socket(relay.getInetAddress(), relay.getLocalPort())) {
                assertThat(relay.getInetAddress().isLoopbackAddress()).isTrue();
                client.getOutputStream().write("GET /s3 foo".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = client.getInputStream().readAllBytes();
                assertThat(new String(answer, StandardCharsets.US_ASCII)).isEqualTo("oof 3s/ TEG");
            }
        }
    }

    @Test
    void listensOnlyWhenTheNodeNamesALoopbackAddress() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(LoopbackRelay.start(null, dir.resolve("rt.sock").toString(), errors)).isNull();
        assertThat(LoopbackRelay.start("0.0.0.0:9001", dir.resolve("rt.sock").toString(), errors)).isNull();
        assertThat(LoopbackRelay.start("127.0.0.1:9001", null, errors)).isNull();
        assertThat(LoopbackRelay.start("127.0.0.1:not-a-port", dir.resolve("rt.sock").toString(), errors)).isNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unavailable");
    }
}
