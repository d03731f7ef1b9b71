package dev.cumulus.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cumulus.logs.OutputLines;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's end of the framed transport (ADR 0042) on a real Unix socket, driven by a client
 * that speaks frames by hand, including the malformed and hostile ones. The channel behind it
 * keeps the polls it is given, as an instance with no invocation waiting does.
 */
class FrameServerTest {
    @TempDir
    Path dir;
    private KeepingChannel channel;
    private FrameServer server;

    @BeforeEach
    void open() throws IOException {
        channel = new KeepingChannel();
        server = FrameServer.open(dir.resolve("frames.sock"), channel);
    }

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void creditsBecomePollsAndAnInvocationArrivesWholeAsAnEventFrame() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.CREDIT, new Frames.Head().putInt(2).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 2);

            byte[] payload = "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8);
            assertThat(channel.polls.get(0).answer(new PendingInvocation("req-1", 1_700_000_000_123L, "arn:f",
                    "Root=1", payload, null, "{\"id\":\"x\"}", "{\"type\":\"t\"}", "tok"))).isTrue();

            Frames.Frame event = client.read();
            assertThat(event.type()).isEqualTo(Frames.EVENT);
            Frames.Cursor body = event.cursor();
            assertThat(body.getLong()).isEqualTo(1_700_000_000_123L);
            assertThat(body.getString()).isEqualTo("req-1");
            assertThat(body.getString()).isEqualTo("arn:f");
            assertThat(body.getString()).isEqualTo("Root=1");
            assertThat(body.getString()).isNull();
            assertThat(body.getString()).isEqualTo("{\"id\":\"x\"}");
            assertThat(body.getString()).isEqualTo("{\"type\":\"t\"}");
            assertThat(body.getString()).isEqualTo("tok");
            assertThat(body.rest()).isEqualTo(payload);

            client.send(Frames.RESULT, new Frames.Head().putString("req-1").toBytes(), "\"hi\"".getBytes());
            client.send(Frames.ERROR, new Frames.Head().putString("req-2").putString("Boom").toBytes(), "{}".getBytes());
            client.send(Frames.INIT_ERROR, new Frames.Head().putString(null).toBytes(), "{}".getBytes());
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.answers.size() == 3);
            assertThat(channel.answers).containsExactly("response req-1 \"hi\"", "error req-2 Boom {}",
                    "init-error Unhandled {}");
        }
    }

    @Test
    void outputFramesAreFiledAsLinesBeforeTheAnswerThatFollowsThem() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.OUTPUT, new byte[0], "\u001ereq-1\u001fgreeting Ada\n".getBytes(StandardCharsets.UTF_8));
            byte[] longLine = ("\u001ereq-1\u001f" + "x".repeat(OutputLines.MAX_LINE_BYTES)).getBytes(StandardCharsets.UTF_8);
            client.send(Frames.OUTPUT, new byte[0], longLine);
            client.send(Frames.RESULT, new Frames.Head().putString("req-1").toBytes(), "\"hi\"".getBytes());
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.answers.size() == 3);

            assertThat(channel.answers.get(0)).isEqualTo("output \u001ereq-1\u001fgreeting Ada");
            assertThat(channel.answers.get(1)).as("cut where the pipe's reader cuts, the tag counted")
                    .isEqualTo("output " + new String(longLine, 0, OutputLines.MAX_LINE_BYTES, StandardCharsets.UTF_8)
                            + OutputLines.cutMarker(OutputLines.MAX_LINE_BYTES));
            assertThat(channel.answers.get(2)).isEqualTo("response req-1 \"hi\"");
        }
    }

    @Test
    void closedByTheNodeTheConnectionIsStillReadToTheEndOfWhatTheRuntimeWrote() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 1);

            server.close(); // as when the instance's process ended
            assertThat(channel.abandoned).as("its poll dropped at once").hasSize(1);
            assertThat(client.read()).as("the node writes no more").isNull();

            // a runtime that died wrote these before: they are in the socket when the node finishes
            client.send(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
            client.send(Frames.OUTPUT, new byte[0], "\u001ereq-9\u001flast words\n".getBytes(StandardCharsets.UTF_8));
            client.socket().close();
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.answers.size() == 1);
            assertThat(channel.answers).containsExactly("output \u001ereq-9\u001flast words");
            assertThat(channel.polls).as("a credit after the end makes no poll").hasSize(1);
        }
    }

    @Test
    void aStoppingInstanceAnswersACreditWithStop() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 1);
            assertThat(channel.polls.get(0).answer(null)).isTrue();
            assertThat(client.read().type()).isEqualTo(Frames.STOP);
        }
    }

    @Test
    void anotherVersionIsRefused() throws Exception {
        try (Client client = Client.connect(server.socket())) {
            client.send(Frames.HELLO, new Frames.Head().putInt(99).toBytes(), new byte[0]);
            // the node read all there was: its REFUSED arrives whole before the close
            Frames.Frame refused = client.read();
            assertThat(refused.type()).isEqualTo(Frames.REFUSED);
            assertThat(refused.cursor().getString()).contains("version " + Frames.VERSION);
            assertThat(client.read()).as("closed after refusing").isNull();
        }
    }

    @Test
    void anOversizedLengthClosesTheConnectionAndDropsItsPolls() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 1);
            // announces 2 GB; the node must refuse it on the length alone
            client.raw(ByteBuffer.allocate(5).putInt(0x7FFF_FFFF).put((byte) Frames.RESULT).flip());
            client.assertClosedByTheNode();
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.abandoned.size() == 1);
            assertThat(channel.polls.get(0).answer(new PendingInvocation("late", 0, "arn", null, new byte[0],
                    null, null, null, null))).as("a dropped poll carries no invocation").isFalse();
        }
    }

    @Test
    void creditsBeyondTheConcurrencyAndItsSparePollsAreAProtocolError() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            int limit = channel.concurrency() + RuntimeApiServer.SPARE_POLLS;
            client.send(Frames.CREDIT, new Frames.Head().putInt(limit + 1).toBytes(), new byte[0]);
            client.assertClosedByTheNode();
        }
    }

    @Test
    void anUnknownFrameTypeIsAProtocolError() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(0x7E, new byte[0], new byte[0]);
            client.assertClosedByTheNode();
        }
    }

    @Test
    void aSecondConnectionIsClosedWhileTheFirstLives() throws Exception {
        try (Client first = Client.hello(server.socket()); Client second = Client.connect(server.socket())) {
            assertThat(second.read()).as("closed at once").isNull();
            first.send(Frames.CREDIT, new Frames.Head().putInt(1).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 1);
        }
    }

    @Test
    void aRuntimeThatVanishesMidFrameLeavesNoPollBehind() throws Exception {
        try (Client client = Client.hello(server.socket())) {
            client.send(Frames.CREDIT, new Frames.Head().putInt(2).toBytes(), new byte[0]);
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.polls.size() == 2);
            client.raw(ByteBuffer.allocate(7).putInt(100).put((byte) Frames.RESULT).put((byte) 0).put((byte) 0).flip());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> channel.abandoned.size() == 2);
    }

    /** The scheduler's side reduced to what a transport sees: polls kept, answers recorded. */
    private static final class KeepingChannel implements RuntimeChannel {
        final List<Poll> polls = new CopyOnWriteArrayList<>();
        final List<Poll> abandoned = new CopyOnWriteArrayList<>();
        final List<String> answers = new CopyOnWriteArrayList<>();

        @Override
        public PendingInvocation next() {
            throw new UnsupportedOperationException("the frame server polls asynchronously");
        }

        @Override
        public void poll(Poll poll) {
            polls.add(poll);
        }

        @Override
        public void abandon(Poll poll) {
            abandoned.add(poll);
        }

        @Override
        public int concurrency() {
            return 4;
        }

        @Override
        public Delivery respond(String requestId, byte[] payload) {
            answers.add("response " + requestId + " " + new String(payload, StandardCharsets.UTF_8));
            return Delivery.ACCEPTED;
        }

        @Override
        public Delivery error(String requestId, String errorType, byte[] errorJson) {
            answers.add("error " + requestId + " " + errorType + " " + new String(errorJson, StandardCharsets.UTF_8));
            return Delivery.ACCEPTED;
        }

        @Override
        public void output(String line) {
            answers.add("output " + line);
        }

        @Override
        public void initError(String errorType, byte[] errorJson) {
            answers.add("init-error " + errorType + " " + new String(errorJson, StandardCharsets.UTF_8));
        }
    }

    /** A runtime's end of the socket, by hand. */
    private record Client(SocketChannel socket, InputStream in) implements AutoCloseable {
        static Client connect(Path path) throws IOException {
            SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            socket.connect(UnixDomainSocketAddress.of(path));
            return new Client(socket, Frames.inputStream(socket));
        }

        static Client hello(Path path) throws IOException {
            Client client = connect(path);
            client.send(Frames.HELLO, new Frames.Head().putInt(Frames.VERSION).toBytes(), new byte[0]);
            Frames.Frame welcome = client.read();
            assertThat(welcome.type()).isEqualTo(Frames.WELCOME);
            assertThat(welcome.cursor().getInt()).isEqualTo(Frames.VERSION);
            return client;
        }

        void send(int type, byte[] head, byte[] payload) throws IOException {
            Frames.write(socket, type, head, payload);
        }

        void raw(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                socket.write(bytes);
            }
        }

        /**
         * The node closes the connection, saying REFUSED first; on Linux a Unix socket closed with
         * input unread resets its peer, which may then lose the REFUSED: either is a closed connection.
         */
        void assertClosedByTheNode() {
            try {
                Frames.Frame frame;
                while ((frame = read()) != null) {
                    assertThat(frame.type()).as("nothing but REFUSED before the close").isEqualTo(Frames.REFUSED);
                }
            } catch (IOException reset) {
                assertThat(reset).hasMessageContaining("reset");
            }
        }

        Frames.Frame read() throws IOException {
            return Frames.read(in, FrameServer.MAX_FRAME_BYTES);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
