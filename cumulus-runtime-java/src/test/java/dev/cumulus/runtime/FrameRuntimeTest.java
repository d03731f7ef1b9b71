package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame socket that the node names but that does not work ends the runtime with a message: it
 * never falls back to the HTTP Runtime API, which the node did not offer for invocations.
 */
class FrameRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void aNamedFrameSocketThatCannotBeReachedEndsTheRuntimeWithoutTryingHttp() throws Exception {
        try (ServerSocketChannel http = listen(dir.resolve("rt.sock"))) {
            http.configureBlocking(false);
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int status = Main.run(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("rt.sock").toString(),
                    "CUMULUS_FRAME_SOCKET", dir.resolve("missing.sock").toString(), "_HANDLER", "fn.Anything",
                    "LAMBDA_TASK_ROOT", dir.toString()), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(status).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("frame socket CUMULUS_FRAME_SOCKET=" + dir.resolve("missing.sock") + " is unusable");
            assertThat(http.accept()).as("no HTTP connection was tried instead").isNull();
        }
    }

    @Test
    void aNodeThatRefusesTheHelloEndsTheRuntimeWithItsReason() throws Exception {
        Path framesPath = dir.resolve("frames.sock");
        try (ServerSocketChannel frames = listen(framesPath)) {
            Thread node = Thread.ofVirtual().start(() -> {
                try (SocketChannel runtime = frames.accept()) {
                    Frames.read(Frames.inputStream(runtime), 1024);
                    Frames.write(runtime, Frames.REFUSED, new Frames.Head().putString("version 7 only").toBytes(),
                            new byte[0]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int status = Main.run(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("rt.sock").toString(),
                    "CUMULUS_FRAME_SOCKET", framesPath.toString(), "_HANDLER", "fn.Anything",
                    "LAMBDA_TASK_ROOT", dir.toString()), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            node.join();
            assertThat(status).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("the node refused it: version 7 only");
        }
    }

    private static ServerSocketChannel listen(Path path) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }
}
