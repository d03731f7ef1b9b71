package dev.cumulus.runtime;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The instance's stdout and stderr, which say whose line is whose. Every line written while an
 * invocation runs on the writing thread (the handler's prints, the JVM's stack traces printed for
 * it), and every line of an invocation's logger from any thread, leaves in one write that starts
 * with the invocation's request id between {@link #TAG_START} (RS, 0x1E) and {@link #TAG_END}
 * (US, 0x1F). The node strips the tag and files the line under that request, which is the only
 * way to know it when one instance runs several invocations at once (docs/adr/0049). Output of
 * other threads passes through unchanged, and the node files it under the invocation it guesses.
 *
 * <p>A thread's partial line is held until its newline, so that lines of concurrent invocations
 * never tear each other; a held line longer than the node keeps ({@link #MAX_HELD_BYTES}) goes
 * on without waiting for its end, and what an invocation leaves without a newline is ended with
 * one when the invocation ends. Both streams share one lock and one pipe to the node; once the
 * frame connection is up, tagged lines leave over it instead, one frame a line, sent at once
 * (docs/adr/0054), and only untagged output uses the pipe.
 */
final class InvocationOutput {
    static final byte TAG_START = 0x1E;
    static final byte TAG_END = 0x1F;
    /** The node's longest line ({@code OutputLines.MAX_LINE_BYTES}): more is cut there anyway. */
    static final int MAX_HELD_BYTES = 256 * 1024;
    private static final byte[] NEWLINE = {'\n'};

    /*
     * A lock that parks: invocations running side by side on virtual threads contend for it, and a
     * virtual thread blocked on a contended monitor was woken through the JDK's timed unparker
     * (a thread of its own, woken at a third of the request rate at 32 invocations at once).
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final ThreadLocal<Scope> current = new ThreadLocal<>();
    private final Charset charset;
    private final Tagging out;
    private final Tagging err;
    private final PrintStream outPrint;
    private final PrintStream errPrint;
    /** Where tagged lines go instead of the pipe once the frame connection is up (docs/adr/0054); null: the pipe. */
    private volatile LineSink lines;

    /** Takes one tagged line (or the first part of a line cut at {@link #MAX_HELD_BYTES}) in one write. */
    interface LineSink {
        void line(byte[] taggedLine) throws IOException;
    }

    InvocationOutput(OutputStream stdout, OutputStream stderr, Charset charset) {
        this.charset = charset;
        this.out = new Tagging(stdout, 0);
        this.err = new Tagging(stderr, 1);
        this.outPrint = new PrintStream(out, true, charset);
        this.errPrint = new PrintStream(err, true, charset);
    }

    /**
     * Replaces {@code System.out} and {@code System.err} with tagging streams over file
     * descriptors 1 and 2, in the charset the JVM chose for them.
     */
    static InvocationOutput installSystemStreams() {
        InvocationOutput output = new InvocationOutput(new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), System.out.charset());
        System.setOut(output.out());
        System.setErr(output.err());
        return output;
    }

    /** Tagging streams over {@code out} and {@code err}, in {@code out}'s charset (tests, and the process streams as given). */
    static InvocationOutput over(PrintStream out, PrintStream err) {
        return new InvocationOutput(out, err, out.charset());
    }

    /**
     * Sends tagged lines to {@code sink} from now on: the frame connection, where a line travels with
     * the invocation's answer to the node's one reader of the instance, ahead of that answer.
     */
    void sendLinesTo(LineSink sink) {
        this.lines = sink;
    }

    PrintStream out() {
        return outPrint;
    }

    PrintStream err() {
        return errPrint;
    }

    /**
     * Files what this thread writes under {@code requestId} until the scope is closed; closing
     * sends what the invocation left without a newline, ended with one.
     */
    Scope enter(String requestId) {
        Scope scope = new Scope(this, requestId);
        current.set(scope);
        return scope;
    }

    /** One message of {@code requestId}'s logger, on any thread: each of its lines tagged, one write. */
    void log(String requestId, String message) {
        byte[] bytes = (message.endsWith("\n") ? message : message + "\n").getBytes(charset);
        Scope scope = current.get();
        if (scope == null || !scope.requestId.equals(requestId)) {
            scope = new Scope(null, requestId); // not the thread's invocation: lines of its own
        }
        try {
            out.write(scope, bytes, 0, bytes.length);
        } catch (IOException e) {
            // the pipe to the node is gone (the node stops this instance); a log call never throws,
            // as PrintStream's never did
        }
    }

    /** The invocation a thread writes for, with what it has begun of a line on each stream. */
    static final class Scope implements AutoCloseable {
        private final InvocationOutput owner;
        final String requestId;
        private final byte[] tag;
        /** Per stream, made at its first write: most invocations write to one stream or none. */
        private final Held[] held = new Held[2];

        private Scope(InvocationOutput owner, String requestId) {
            this.owner = owner;
            this.requestId = requestId;
            byte[] id = requestId.getBytes(StandardCharsets.UTF_8);
            this.tag = new byte[id.length + 2];
            tag[0] = TAG_START;
            System.arraycopy(id, 0, tag, 1, id.length);
            tag[tag.length - 1] = TAG_END;
        }

        Held held(int index) {
            Held h = held[index];
            if (h == null) {
                h = new Held();
                held[index] = h;
            }
            return h;
        }

        @Override
        public void close() {
            if (owner == null) {
                return;
            }
            if (owner.current.get() == this) {
                owner.current.remove();
            }
            try {
                if (held[0] != null) {
                    owner.out.end(this);
                }
                if (held[1] != null) {
                    owner.err.end(this);
                }
            } catch (IOException e) {
                // as in log: nothing left to tell
            }
        }
    }

    /** A partial line of one thread on one stream. */
    private static final class Held {
        /** Made when a write first leaves a line open: most invocations only ever write whole lines. */
        ByteArrayOutputStream bytes;
        /** Past {@link #MAX_HELD_BYTES}: the rest of the line goes straight through. */
        boolean passing;

        int size() {
            return bytes == null ? 0 : bytes.size();
        }

        ByteArrayOutputStream bytes() {
            if (bytes == null) {
                bytes = new ByteArrayOutputStream();
            }
            return bytes;
        }
    }

    private final class Tagging extends OutputStream {
        private final OutputStream target;
        private final int index;

        Tagging(OutputStream target, int index) {
            this.target = target;
            this.index = index;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Scope scope = current.get();
            if (scope == null) {
                send(null, null, b, off, len);
            } else {
                write(scope, b, off, len);
            }
        }

        void write(Scope scope, byte[] b, int off, int len) throws IOException {
            Held held = scope.held(index);
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n') {
                    line(scope, held, b, start, i + 1 - start);
                    start = i + 1;
                }
            }
            if (start == end) {
                return;
            }
            if (held.passing) {
                pass(b, start, end - start);
            } else if (held.size() + (end - start) <= MAX_HELD_BYTES) {
                held.bytes().write(b, start, end - start);
            } else {
                // a line longer than the node keeps: it gets its tag now and the rest as it comes
                send(scope.tag, held, b, start, end - start);
                held.passing = true;
            }
        }

        /** Sends a whole line: what was held of it and {@code len} bytes that end with its newline. */
        private void line(Scope scope, Held held, byte[] b, int off, int len) throws IOException {
            if (held.passing) {
                held.passing = false;
                pass(b, off, len);
            } else {
                send(scope.tag, held, b, off, len);
            }
        }

        /** The invocation ends: what it began of a line is sent, with a newline. */
        void end(Scope scope) throws IOException {
            Held held = scope.held(index);
            if (held.passing) {
                held.passing = false;
                pass(NEWLINE, 0, 1);
            } else if (held.size() > 0) {
                send(scope.tag, held, NEWLINE, 0, 1);
            }
        }

        /**
         * One write of {@code tag}, what {@code held} holds (which is then empty) and
         * {@code b[off, off + len)}, under the shared lock.
         */
        private void send(byte[] tag, Held held, byte[] b, int off, int len) throws IOException {
            int tagLength = tag == null ? 0 : tag.length;
            int heldLength = held == null ? 0 : held.size();
            if (tagLength + heldLength == 0) { // untagged output, or the rest of a long line: as it is
                writeLocked(b, off, len);
                return;
            }
            byte[] chunk = new byte[tagLength + heldLength + len];
            if (tag != null) {
                System.arraycopy(tag, 0, chunk, 0, tagLength);
            }
            if (heldLength > 0) {
                System.arraycopy(held.bytes.toByteArray(), 0, chunk, tagLength, heldLength);
                held.bytes.reset();
            }
            System.arraycopy(b, off, chunk, tagLength + heldLength, len);
            LineSink sink = lines;
            if (sink != null && tag != null) {
                sink.line(chunk);
            } else {
                writeLocked(chunk, 0, chunk.length);
            }
        }

        /**
         * The rest of a line longer than the node keeps: on the pipe it follows its start; over
         * frames the start went alone, the node cuts it there, and the rest is dropped here.
         */
        private void pass(byte[] b, int off, int len) throws IOException {
            if (lines == null) {
                writeLocked(b, off, len);
            }
        }

        /** One write to the target under the lock both streams share: lines of two threads never tear. */
        private void writeLocked(byte[] b, int off, int len) throws IOException {
            lock.lock();
            try {
                target.write(b, off, len);
                target.flush();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void flush() throws IOException {
            lock.lock();
            try {
                target.flush();
            } finally {
                lock.unlock();
            }
        }
    }
}
