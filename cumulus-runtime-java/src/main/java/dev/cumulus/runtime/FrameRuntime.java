package dev.cumulus.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The runtime over the node's private framed transport (docs/adr/0042-framed-runtime-transport.md),
 * used when the node offers it in {@code CUMULUS_FRAME_SOCKET}: one connection, the function's
 * concurrency as credits, frames read on one thread and each invocation run on a virtual thread of
 * its own, results written back under a lock. A socket that is named but unusable ends the process
 * with a message; it never falls back to HTTP, which the node did not ask for.
 */
final class FrameRuntime {
    static final String SOCKET_VARIABLE = "CUMULUS_FRAME_SOCKET";
    /** Lambda's limit on a result; a larger one fails its invocation as Lambda fails it. */
    static final int MAX_RESULT_BYTES = 6 * 1024 * 1024;
    private static final int MAX_FRAME_BYTES = MAX_RESULT_BYTES + Frames.HEADER_ALLOWANCE;
    private static final byte[] NONE = new byte[0];

    private final SocketChannel socket;
    private final InputStream in;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final PrintStream err;
    /** Set on STOP: a write that fails from then on is the connection closing, not a failure. */
    private volatile boolean stopping;

    private FrameRuntime(SocketChannel socket, PrintStream err) {
        this.socket = socket;
        this.in = Frames.inputStream(socket);
        this.err = err;
    }

    /** The frame socket the node offers in {@code environment}, or null when it offers none. */
    static String socketPath(java.util.Map<String, String> environment) {
        String path = environment.get(SOCKET_VARIABLE);
        return path == null || path.isBlank() ? null : path;
    }

    /** Serves the function over the frame socket at {@code path}; returns the exit status. */
    static int run(String path, RuntimeEnv env, InvocationOutput output) {
        PrintStream err = output.err();
        FrameRuntime frames;
        try {
            frames = connect(path, err);
        } catch (IOException e) {
            err.println("cumulus-runtime: the node's frame socket " + SOCKET_VARIABLE + "=" + path
                    + " is unusable: " + e.getMessage());
            return 1;
        }
        try (SocketChannel ignored = frames.socket) {
            output.sendLinesTo(line -> frames.write(Frames.OUTPUT, NONE, line));
            return frames.serve(env, output);
        } catch (IOException e) {
            err.println("cumulus-runtime: the frame connection to the node failed: " + e);
            return 1;
        }
    }

    private static FrameRuntime connect(String path, PrintStream err) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socket.connect(UnixDomainSocketAddress.of(path));
            FrameRuntime frames = new FrameRuntime(socket, err);
            frames.write(Frames.HELLO, new Frames.Head().putInt(Frames.VERSION).toBytes(), NONE);
            Frames.Frame welcome = Frames.read(frames.in, MAX_FRAME_BYTES);
            if (welcome == null) {
                throw new IOException("the node closed the connection instead of answering HELLO");
            }
            if (welcome.type() == Frames.REFUSED) {
                throw new IOException("the node refused it: " + welcome.cursor().getString());
            }
            if (welcome.type() != Frames.WELCOME || welcome.cursor().getInt() != Frames.VERSION) {
                throw new IOException("the node answered HELLO with frame type 0x" + Integer.toHexString(welcome.type()));
            }
            return frames;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private int serve(RuntimeEnv env, InvocationOutput output) throws IOException {
        Handler handler;
        try {
            handler = HandlerLoader.load(env.taskRoot(), env.handler());
        } catch (InitException e) {
            err.println("cumulus-runtime: init failed (" + e.errorType() + "): " + e.getMessage());
            write(Frames.INIT_ERROR, new Frames.Head().putString(e.errorType()).toBytes(), ErrorReport.forInit(e));
            return 1;
        }
        int slots = env.maxConcurrency();
        Semaphore running = new Semaphore(slots);
        write(Frames.CREDIT, new Frames.Head().putInt(slots).toBytes(), NONE);
        while (true) {
            Frames.Frame frame = Frames.read(in, MAX_FRAME_BYTES);
            if (frame == null) {
                err.println("cumulus-runtime: the node closed the frame connection");
                return 1;
            }
            switch (frame.type()) {
                case Frames.EVENT -> {
                    Invocation invocation = event(frame.cursor());
                    if (!running.tryAcquire()) {
                        throw new Frames.ProtocolException("the node sent more events than it had credits");
                    }
                    if (slots == 1) {
                        // one invocation at a time (Lambda's semantics): it runs on this thread. A
                        // virtual thread per invocation meant waking a carrier on every call, on the
                        // path of every single-connection request; and the node sends a one-slot
                        // instance nothing before its answer but a STOP, which waits for it anyway
                        invoke(invocation, handler, env, output, running);
                    } else {
                        Thread.ofVirtual().name("invocation-" + invocation.requestId())
                                .start(() -> invoke(invocation, handler, env, output, running));
                    }
                }
                case Frames.STOP -> {
                    stopping = true;
                    err.println("cumulus-runtime: " + frame.cursor().getString());
                    running.acquireUninterruptibly(slots); // what runs finishes first
                    return 1;
                }
                case Frames.REFUSED -> throw new IOException("the node ended the connection: "
                        + frame.cursor().getString());
                default -> throw new Frames.ProtocolException("unexpected frame type 0x"
                        + Integer.toHexString(frame.type()));
            }
        }
    }

    private static Invocation event(Frames.Cursor body) throws Frames.ProtocolException {
        long deadline = body.getLong();
        String requestId = body.getString();
        String arn = body.getString();
        String trace = body.getString();
        String clientContext = body.getString();
        String cognito = body.getString();
        String cloudEvent = body.getString();
        String token = body.getString();
        if (requestId == null || requestId.isEmpty()) {
            throw new Frames.ProtocolException("EVENT without a request id");
        }
        return new Invocation(requestId, deadline, arn, trace, clientContext, cognito, body.rest(), cloudEvent, token);
    }

    /**
     * Runs one invocation (on its own virtual thread, or on the reader's for a one-slot instance)
     * and writes its answer and a fresh credit.
     */
    private void invoke(Invocation invocation, Handler handler, RuntimeEnv env, InvocationOutput output,
            Semaphore running) {
        if (invocation.traceId() != null) {
            System.setProperty(Main.TRACE_PROPERTY, invocation.traceId());
        } else {
            System.clearProperty(Main.TRACE_PROPERTY);
        }
        InvocationContext context = new InvocationContext(invocation.requestId(), env.functionName(),
                env.functionVersion(), env.memoryMb(), invocation.deadlineMs(),
                new StdoutLogger(output, invocation.requestId()), invocation.functionArn(),
                invocation.traceId(), invocation.clientContext(), invocation.cognitoIdentity(),
                env.logGroupName(), env.logStreamName(), invocation.cloudEvent(), invocation.token());
        try {
            byte[] result;
            // its output is tagged with its request id until it returns: then what it left
            // without a newline leaves too, before its answer (docs/adr/0049)
            try (InvocationOutput.Scope ignored = output.enter(invocation.requestId())) {
                result = handler.handle(invocation.event(), context);
            } catch (Throwable t) {
                byte[] head = errorHead(invocation.requestId(), ErrorReport.headerType(t));
                if (t instanceof VirtualMachineError) {
                    // after an OutOfMemoryError or StackOverflowError the JVM cannot be trusted
                    // with the next event; a fresh instance can
                    write(Frames.ERROR, head, ErrorReport.forInvocation(t));
                    err.println("cumulus-runtime: exiting after " + t);
                    System.exit(1);
                }
                answer(running, Frames.ERROR, head, ErrorReport.forInvocation(t));
                return;
            }
            if (result.length > MAX_RESULT_BYTES) {
                String message = "Response payload size exceeded maximum allowed payload size (" + MAX_RESULT_BYTES
                        + " bytes).";
                answer(running, Frames.ERROR, errorHead(invocation.requestId(), "Function.ResponseSizeTooLarge"),
                        ("{\"errorType\":\"Function.ResponseSizeTooLarge\",\"errorMessage\":\"" + message + "\"}")
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
            answer(running, Frames.RESULT, new Frames.Head().putString(invocation.requestId()).toBytes(), result);
        } catch (IOException e) {
            if (!stopping) {
                err.println("cumulus-runtime: the frame connection to the node failed: " + e);
                System.exit(1);
            }
        } catch (RuntimeException | Error e) {
            // a slot lost silently would shrink the instance for good: a fresh instance is better
            err.println("cumulus-runtime: exiting after " + e + " while answering " + invocation.requestId());
            System.exit(1);
        }
    }

    private static byte[] errorHead(String requestId, String errorType) {
        return new Frames.Head().putString(requestId).putString(errorType).toBytes();
    }

    /**
     * Frees the invocation's slot and writes its answer with the credit that says so, in one
     * write. The slot is free before the credit leaves: the node sends no event for it earlier.
     */
    private void answer(Semaphore running, int type, byte[] head, byte[] payload) throws IOException {
        running.release();
        writeLock.lock();
        try {
            Frames.write(socket, type, head, payload, Frames.CREDIT, new Frames.Head().putInt(1).toBytes());
        } finally {
            writeLock.unlock();
        }
    }

    private void write(int type, byte[] head, byte[] payload) throws IOException {
        writeLock.lock();
        try {
            Frames.write(socket, type, head, payload);
        } finally {
            writeLock.unlock();
        }
    }
}
