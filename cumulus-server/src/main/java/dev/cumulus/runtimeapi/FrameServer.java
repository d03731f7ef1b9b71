package dev.cumulus.runtimeapi;

import dev.cumulus.logs.OutputLines;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The private framed transport between the node and the Java runtime of one instance
 * (docs/adr/0042-framed-runtime-transport.md): one Unix socket beside the instance's Runtime API
 * socket, one connection on it, many invocations multiplexed over that connection. It plugs into
 * the same {@link RuntimeChannel} as the HTTP Runtime API, so the scheduler does not know which
 * transport an instance speaks: each credit the runtime grants becomes one {@link RuntimeChannel#poll},
 * an invocation is written as an EVENT frame by the thread that brings it (ADR 0029), and results
 * come back by request id to {@link RuntimeChannel#respond}/{@link RuntimeChannel#error}.
 *
 * <p>Bounds: one connection at a time (a second is closed at once), at most the instance's
 * concurrency plus {@link RuntimeApiServer#SPARE_POLLS} credits waiting, frames of at most the
 * payload limit plus {@link Frames#HEADER_ALLOWANCE}; anything else is a protocol error that
 * closes the connection, after which the runtime exits and the instance's death fails what it was
 * running, as it does for the HTTP path.
 */
public final class FrameServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameServer.class);
    /** The largest frame either side accepts. */
    static final int MAX_FRAME_BYTES = RuntimeApiServer.MAX_PAYLOAD_BYTES + Frames.HEADER_ALLOWANCE;
    /** How long a finished connection is still read for what its runtime wrote before it ended. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final ServerSocketChannel server;
    private final Path socket;
    private volatile RuntimeChannel channel;
    private final AtomicReference<Connection> active = new AtomicReference<>();
    private volatile boolean closed;

    private FrameServer(ServerSocketChannel server, Path socket, RuntimeChannel channel) {
        this.server = server;
        this.socket = socket;
        this.channel = channel;
    }

    /**
     * Listens on {@code socket} for the runtime of one instance, world-connectable for the same
     * reason as its Runtime API socket: the directory holding it is what the sandbox exposes.
     */
    public static FrameServer open(Path socket, RuntimeChannel channel) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 1);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        FrameServer frames = new FrameServer(server, socket, channel);
        Thread.ofVirtual().name("frames-accept-" + socket.getParent().getFileName()).start(frames::accept);
        return frames;
    }

    public Path socket() {
        return socket;
    }

    /** Routes later frames to another channel: a stem cell's transport becomes its instance's. */
    public void rebind(RuntimeChannel channel) {
        this.channel = channel;
    }

    private void accept() {
        while (!closed) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Connection candidate = new Connection(connection);
            if (!active.compareAndSet(null, candidate)) {
                candidate.closeQuietly(); // one runtime, one connection
                continue;
            }
            // a platform thread: its blocking read wakes it straight from the kernel, where a
            // virtual thread parked on the socket went through the JDK's poller thread and then a
            // carrier, two more wake-ups for every answer (ADR 0051)
            candidate.reader = Thread.ofPlatform().daemon().stackSize(256 * 1024)
                    .name("frames-" + socket.getParent().getFileName()).start(candidate::serve);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // the socket file goes below
        }
        Connection connection = active.get();
        if (connection != null) {
            connection.finish();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the instance directory is removed with the instance
        }
    }

    /** The runtime's one connection: read on its own platform thread, written under a lock by any. */
    private final class Connection {
        private final SocketChannel socketChannel;
        private final ReentrantLock writeLock = new ReentrantLock();
        private final Set<FramePoll> waiting = ConcurrentHashMap.newKeySet();
        private final AtomicInteger credits = new AtomicInteger();
        /** The thread that reads the connection; set right after the connection is taken. */
        private volatile Thread reader;
        /** Set by {@link #finish}: credits that arrive after it become no polls. */
        private volatile boolean finishing;

        Connection(SocketChannel socketChannel) {
            this.socketChannel = socketChannel;
        }

        void serve() {
            InputStream in = Frames.inputStream(socketChannel);
            try {
                Frames.Frame hello = Frames.read(in, MAX_FRAME_BYTES);
                if (hello == null) {
                    return;
                }
                int version = hello.type() == Frames.HELLO ? hello.cursor().getInt() : -1;
                if (version != Frames.VERSION) {
                    refuse("expected HELLO with version " + Frames.VERSION);
                    return;
                }
                write(Frames.WELCOME, new Frames.Head().putInt(Frames.VERSION).toBytes(), new byte[0]);
                Frames.Frame frame;
                while ((frame = Frames.read(in, MAX_FRAME_BYTES)) != null) {
                    handle(frame);
                }
            } catch (Frames.ProtocolException e) {
                LOG.warn("frame socket {}: protocol error, closing: {}", socket, e.getMessage());
                refuse(e.getMessage());
            } catch (IOException e) {
                LOG.debug("frame socket {}: connection ended: {}", socket, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly();
            }
        }

        private void handle(Frames.Frame frame) throws IOException, InterruptedException {
            RuntimeChannel target = channel;
            Frames.Cursor body = frame.cursor();
            switch (frame.type()) {
                case Frames.CREDIT -> {
                    if (finishing) {
                        return; // the instance is gone or going: no event for it
                    }
                    int n = body.getInt();
                    int limit = target.concurrency() + RuntimeApiServer.SPARE_POLLS;
                    if (n < 1 || credits.addAndGet(n) > limit) {
                        throw new Frames.ProtocolException("credit " + n + " would leave more than " + limit
                                + " polls waiting (the instance's concurrency is " + target.concurrency() + ")");
                    }
                    for (int i = 0; i < n; i++) {
                        FramePoll poll = new FramePoll(this);
                        waiting.add(poll);
                        target.poll(poll);
                    }
                }
                case Frames.RESULT -> target.respond(body.getString(), body.rest());
                case Frames.ERROR -> {
                    String id = body.getString();
                    String type = body.getString();
                    target.error(id, type == null || type.isBlank() ? "Unhandled" : type, body.rest());
                }
                case Frames.OUTPUT -> OutputLines.split(frame.body(), OutputLines.MAX_LINE_BYTES, target::output);
                case Frames.INIT_ERROR -> {
                    String type = body.getString();
                    target.initError(type == null || type.isBlank() ? "Unhandled" : type, body.rest());
                }
                default -> throw new Frames.ProtocolException("unexpected frame type 0x"
                        + Integer.toHexString(frame.type()));
            }
        }

        void write(int type, byte[] head, byte[] payload) throws IOException {
            writeLock.lock();
            try {
                Frames.write(socketChannel, type, head, payload);
            } finally {
                writeLock.unlock();
            }
        }

        private void refuse(String message) {
            try {
                write(Frames.REFUSED, new Frames.Head().putString(message).toBytes(), new byte[0]);
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        /**
         * The node is done with the instance (its process ended, or it is being stopped): its
         * waiting polls are dropped at once and nothing more is written to it, but what the runtime
         * wrote before it ended is still read to the end of the stream: its last output lines
         * travel here (docs/adr/0054), as they were read to the end of the pipe before. A peer
         * that keeps the connection open longer than {@link #DRAIN_TIMEOUT} is cut off.
         */
        void finish() {
            finishing = true;
            dropPolls();
            Thread serving = reader;
            if (serving == null) { // taken a moment ago, never read
                closeQuietly();
                return;
            }
            try {
                socketChannel.shutdownOutput();
            } catch (IOException closedAlready) {
                closeQuietly();
                return;
            }
            // the reader closes the connection itself at the end of the stream
            Thread.ofVirtual().name("frames-drain-" + socket.getParent().getFileName()).start(() -> {
                try {
                    if (!serving.join(DRAIN_TIMEOUT)) {
                        closeQuietly();
                    }
                } catch (InterruptedException e) {
                    closeQuietly();
                }
            });
        }

        /** Closes the connection and drops its waiting polls, so no invocation goes into a dead one. */
        void closeQuietly() {
            try {
                socketChannel.close();
            } catch (IOException ignored) {
                // closed
            }
            dropPolls();
        }

        private void dropPolls() {
            for (FramePoll poll : waiting) {
                if (poll.settle()) {
                    channel.abandon(poll);
                }
            }
            waiting.clear();
            active.compareAndSet(this, null);
        }
    }

    /** One credit of the runtime: answered once, with an EVENT frame or a STOP. */
    private static final class FramePoll implements RuntimeChannel.Poll {
        private final Connection connection;
        private final AtomicBoolean settled = new AtomicBoolean();

        FramePoll(Connection connection) {
            this.connection = connection;
        }

        boolean settle() {
            return settled.compareAndSet(false, true);
        }

        @Override
        public boolean answer(PendingInvocation invocation) {
            if (!settle()) {
                return false; // its connection is gone: nothing was written
            }
            connection.waiting.remove(this);
            connection.credits.decrementAndGet();
            try {
                if (invocation == null) {
                    connection.write(Frames.STOP, new Frames.Head().putString("this instance is being stopped")
                            .toBytes(), new byte[0]);
                } else {
                    byte[] head = new Frames.Head().putLong(invocation.deadlineEpochMs())
                            .putString(invocation.requestId()).putString(invocation.functionArn())
                            .putString(invocation.traceId()).putString(invocation.clientContext())
                            .putString(invocation.cognitoIdentity()).putString(invocation.cloudEvent())
                            .putString(invocation.token()).toBytes();
                    connection.write(Frames.EVENT, head, invocation.payload());
                }
                return true;
            } catch (IOException e) {
                // the runtime's end is gone: an event not written whole never reached a function,
                // so it goes on to another poll rather than waiting for its deadline
                connection.closeQuietly();
                return false;
            }
        }
    }
}
