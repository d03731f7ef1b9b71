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

    @Test
    @org.junit.jupiter.api.Timeout(60) // a missing frame would leave both sides waiting
    void everyAnswerIsFollowedByTheCreditItFrees() throws Exception {
        Path taskRoot = Functions.buildTaskRoot(dir.resolve("work"));
        byte[] tooLarge = new byte[FrameRuntime.MAX_RESULT_BYTES + 1];
        java.util.Arrays.fill(tooLarge, (byte) 'a');

        java.util.List<Frames.Frame> greeter = answersOf(taskRoot, "fn.Greeter",
                "{\"name\":\"Ada\",\"age\":36}".getBytes(StandardCharsets.UTF_8),
                "{\"name\":\"boom\",\"age\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(greeter).extracting(Frames.Frame::type)
                .containsExactly(Frames.OUTPUT, Frames.RESULT, Frames.CREDIT, Frames.ERROR, Frames.CREDIT);
        assertThat(new String(greeter.get(0).body(), StandardCharsets.UTF_8))
                .as("the logger's line, tagged, on the frame connection ahead of its answer")
                .isEqualTo("\u001ereq-0\u001fgreeting Ada in req-0\n");
        assertThat(greeter.get(1).cursor().getString()).isEqualTo("req-0");
        Frames.Cursor thrown = greeter.get(3).cursor();
        assertThat(thrown.getString()).isEqualTo("req-1");
        assertThat(thrown.getString()).as("the error type").isNotBlank();
        assertThat(new String(thrown.rest(), StandardCharsets.UTF_8)).contains("no boom allowed");

        java.util.List<Frames.Frame> upper = answersOf(taskRoot, "fn.Upper", tooLarge);
        assertThat(upper).extracting(Frames.Frame::type).containsExactly(Frames.ERROR, Frames.CREDIT);
        Frames.Cursor refused = upper.get(0).cursor();
        assertThat(refused.getString()).isEqualTo("req-0");
        assertThat(refused.getString()).isEqualTo("Function.ResponseSizeTooLarge");
        assertThat(upper.get(1).cursor().getInt()).isEqualTo(1);
    }

    /** Runs {@code handler} against a node that sends {@code events} one per credit, then STOP; the frames after the first credit. */
    private java.util.List<Frames.Frame> answersOf(Path taskRoot, String handler, byte[]... events) throws Exception {
        Path framesPath = dir.resolve(handler + ".sock");
        java.util.List<Frames.Frame> answers = new java.util.ArrayList<>();
        try (ServerSocketChannel frames = listen(framesPath)) {
            Thread node = Thread.ofVirtual().start(() -> {
                try (SocketChannel runtime = frames.accept()) {
                    var in = Frames.inputStream(runtime);
                    Frames.read(in, 1024); // HELLO
                    Frames.write(runtime, Frames.WELCOME, new Frames.Head().putInt(Frames.VERSION).toBytes(), new byte[0]);
                    assertThat(Frames.read(in, 1024).type()).isEqualTo(Frames.CREDIT);
                    for (int n = 0; n < events.length; n++) {
                        Frames.write(runtime, Frames.EVENT, new Frames.Head().putLong(System.currentTimeMillis() + 60_000)
                                .putString("req-" + n).putString("arn:cumulus:function:test").putString(null)
                                .putString(null).putString(null).putString(null).putString(null).toBytes(), events[n]);
                        Frames.Frame frame;
                        do { // the invocation's output lines first, then its answer
                            frame = Frames.read(in, 16 * 1024 * 1024);
                            answers.add(frame);
                        } while (frame.type() == Frames.OUTPUT);
                        answers.add(Frames.read(in, 1024));
                    }
                    Frames.write(runtime, Frames.STOP, new Frames.Head().putString("test over").toBytes(), new byte[0]);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            int status = Main.run(Map.of("CUMULUS_RUNTIME_SOCKET", dir.resolve("rt.sock").toString(),
                    "CUMULUS_FRAME_SOCKET", framesPath.toString(), "_HANDLER", handler,
                    "LAMBDA_TASK_ROOT", taskRoot.toString()), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            node.join();
            assertThat(status).as("a STOP ends the runtime").isEqualTo(1);
        }
        return answers;
    }

    private static ServerSocketChannel listen(Path path) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }
}
