package dev.cumulus.runtime;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The frame codec of the private node-to-runtime transport (docs/adr/0042-framed-runtime-transport.md).
 * A frame is {@code u32 length | u8 type | body}, big-endian, where length counts the type byte and
 * the body and never exceeds the reader's limit: a longer or empty frame is a protocol error, so a
 * peer can make a reader allocate at most one frame of the limit, never more. Strings inside
 * bodies are {@code i32 length | UTF-8} with length -1 for null; a payload is the rest of the body.
 *
 * <p>The same file exists in the node ({@code dev.cumulus.runtimeapi}) and in the Java runtime
 * ({@code dev.cumulus.runtime}), which may depend on nothing; the ADR is the specification of both.
 */
final class Frames {
    /** The protocol version a runtime offers in HELLO and the node confirms in WELCOME. */
    static final int VERSION = 2; // 2: OUTPUT frames (docs/adr/0054)
    /** What a frame may carry besides its payload: the request id and the few Lambda headers. */
    static final int HEADER_ALLOWANCE = 64 * 1024;

    // runtime -> node
    static final int HELLO = 0x01;
    static final int CREDIT = 0x03;
    static final int RESULT = 0x11;
    static final int ERROR = 0x12;
    static final int INIT_ERROR = 0x13;
    /** One output line of an invocation: its tag and text, as it would have crossed the pipe (docs/adr/0054). */
    static final int OUTPUT = 0x14;
    // node -> runtime
    static final int WELCOME = 0x02;
    static final int EVENT = 0x10;
    static final int STOP = 0x20;
    static final int REFUSED = 0x21;

    private Frames() {}

    /** A malformed frame: the connection that carried it is closed. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** One frame read whole. */
    record Frame(int type, byte[] body) {
        Cursor cursor() {
            return new Cursor(body);
        }
    }

    /**
     * Reads the next frame; null when the stream ends cleanly between frames.
     *
     * @throws EOFException when the stream ends inside a frame (the peer died mid-frame)
     * @throws ProtocolException when the length is 0 or above {@code maxLength}
     */
    static Frame read(InputStream in, int maxLength) throws IOException {
        byte[] prefix = new byte[4];
        int first = in.readNBytes(prefix, 0, 4);
        if (first == 0) {
            return null;
        }
        if (first < 4) {
            throw new EOFException("the peer closed the connection inside a frame's length");
        }
        long length = ByteBuffer.wrap(prefix).getInt() & 0xFFFFFFFFL;
        if (length == 0 || length > maxLength) {
            throw new ProtocolException("frame length " + length + " outside 1.." + maxLength);
        }
        byte[] frame = in.readNBytes((int) length);
        if (frame.length < length) {
            throw new EOFException("the peer closed the connection inside a frame (" + frame.length + " of "
                    + length + " bytes)");
        }
        return new Frame(frame[0] & 0xFF, Arrays.copyOfRange(frame, 1, frame.length));
    }

    /**
     * A buffered {@link InputStream} over a blocking channel: a frame's length and its body, and
     * the frames that came with it, in one read of the channel rather than one per part. The
     * stream must be the channel's only reader.
     */
    static InputStream inputStream(ReadableByteChannel channel) {
        return new BufferedInputStream(unbuffered(channel), 8192);
    }

    private static InputStream unbuffered(ReadableByteChannel channel) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /**
     * Writes a frame of {@code type} whose body is {@code head} followed by {@code payload}
     * (either may be empty), the payload straight from its array; loops over partial writes.
     * The caller serialises writers.
     */
    static void write(GatheringByteChannel channel, int type, byte[] head, byte[] payload) throws IOException {
        long length = 1L + head.length + payload.length;
        if (length > Integer.MAX_VALUE) {
            throw new ProtocolException("frame too large: " + length + " bytes");
        }
        // one gathering write for the whole frame, not one per part: three system calls per frame
        // (and as many wake-ups of the reader) were on the path of every invocation
        writeAll(channel, prefix((int) length, type), ByteBuffer.wrap(head), ByteBuffer.wrap(payload));
    }

    /**
     * Writes a frame and, in the same gathering write, a frame without payload after it: an
     * answer and the credit it frees reach the peer together.
     */
    static void write(GatheringByteChannel channel, int type, byte[] head, byte[] payload, int nextType,
            byte[] nextHead) throws IOException {
        long length = 1L + head.length + payload.length;
        if (length > Integer.MAX_VALUE) {
            throw new ProtocolException("frame too large: " + length + " bytes");
        }
        writeAll(channel, prefix((int) length, type), ByteBuffer.wrap(head), ByteBuffer.wrap(payload),
                prefix(1 + nextHead.length, nextType), ByteBuffer.wrap(nextHead));
    }

    private static ByteBuffer prefix(int length, int type) {
        return ByteBuffer.allocate(5).putInt(length).put((byte) type).flip();
    }

    private static void writeAll(GatheringByteChannel channel, ByteBuffer... buffers) throws IOException {
        while (anyRemaining(buffers)) {
            channel.write(buffers);
        }
    }

    private static boolean anyRemaining(ByteBuffer[] buffers) {
        for (ByteBuffer buffer : buffers) {
            if (buffer.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    /** Builds the head of a body: fixed fields and strings. */
    static final class Head {
        private byte[] bytes = new byte[64];
        private int size;

        Head putInt(int value) {
            ensure(4);
            ByteBuffer.wrap(bytes, size, 4).putInt(value);
            size += 4;
            return this;
        }

        Head putLong(long value) {
            ensure(8);
            ByteBuffer.wrap(bytes, size, 8).putLong(value);
            size += 8;
            return this;
        }

        Head putString(String value) {
            if (value == null) {
                return putInt(-1);
            }
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            putInt(utf8.length);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, bytes, size, utf8.length);
            size += utf8.length;
            return this;
        }

        byte[] toBytes() {
            return Arrays.copyOf(bytes, size);
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }
    }

    /** Reads a body's fields in order; a field running past the body is a protocol error. */
    static final class Cursor {
        private final byte[] body;
        private int at;

        Cursor(byte[] body) {
            this.body = body;
        }

        int getInt() throws ProtocolException {
            need(4);
            int value = ByteBuffer.wrap(body, at, 4).getInt();
            at += 4;
            return value;
        }

        long getLong() throws ProtocolException {
            need(8);
            long value = ByteBuffer.wrap(body, at, 8).getLong();
            at += 8;
            return value;
        }

        String getString() throws ProtocolException {
            int length = getInt();
            if (length == -1) {
                return null;
            }
            if (length < 0) {
                throw new ProtocolException("negative string length " + length);
            }
            need(length);
            String value = new String(body, at, length, StandardCharsets.UTF_8);
            at += length;
            return value;
        }

        /** The rest of the body: the payload. */
        byte[] rest() {
            byte[] rest = Arrays.copyOfRange(body, at, body.length);
            at = body.length;
            return rest;
        }

        private void need(int n) throws ProtocolException {
            if (n > body.length - at) {
                throw new ProtocolException("field runs past the end of its frame");
            }
        }
    }
}
