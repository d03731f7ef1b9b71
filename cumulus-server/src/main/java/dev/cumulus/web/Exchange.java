package dev.cumulus.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Helpers over Jetty's request and response; the blocking ones only from a virtual thread. */
public final class Exchange {
    private Exchange() {}

    /**
     * Reads the whole body, refusing more than {@code limit} bytes without reading them all.
     *
     * @throws BodyTooLargeException beyond the limit
     * @throws BodyTimeoutException when the body does not arrive within {@link BodyDeadline#DEFAULT}
     */
    public static byte[] readBody(Request request, long limit) throws IOException {
        if (request.getLength() == 0) {
            return new byte[0];
        }
        long length = request.getLength();
        try (InputStream in = body(request, limit)) {
            if (length > 0) {
                // the declared length (checked against the limit above): one array of exactly that
                // size, where readAllBytes allocates 16 KB buffers and copies (issue 12)
                byte[] body = new byte[(int) length];
                int read = in.readNBytes(body, 0, body.length);
                if (read < body.length || in.read() >= 0) {
                    throw new IOException("the request body does not match its Content-Length");
                }
                return body;
            }
            return in.readAllBytes();
        }
    }

    /**
     * The body as a stream for handlers that pass it on as it arrives. The declared length is
     * checked before a byte is read and the bytes are counted as they come, so a body without a
     * length (chunked) is cut at the limit too; every read waits no longer than the body's
     * deadline allows.
     *
     * @throws BodyTooLargeException when the declared length is already beyond the limit; reads
     *     throw it when the bytes pass it
     */
    public static InputStream body(Request request, long limit) throws BodyTooLargeException {
        return body(request, limit, BodyDeadline.DEFAULT);
    }

    static InputStream body(Request request, long limit, BodyDeadline deadline) throws BodyTooLargeException {
        if (request.getLength() > limit) {
            throw new BodyTooLargeException(limit);
        }
        return new BodyStream(request, limit, deadline);
    }

    public static void write(Response response, int status, String contentType, byte[] body) throws IOException {
        head(response, status, contentType, body.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
    }

    private static void head(Response response, int status, String contentType, int length) {
        response.setStatus(status);
        if (contentType != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    }

    /**
     * As {@link #write(Response, int, String, byte[])} without blocking: {@code done} completes
     * when the body is written (or fails), on whichever thread finishes the write. For answers
     * written from a thread that must not wait for a slow client.
     */
    public static void write(Response response, int status, String contentType, byte[] body, Callback done) {
        head(response, status, contentType, body.length);
        response.write(true, ByteBuffer.wrap(body), done);
    }

    public static void writeText(Response response, int status, String contentType, String body) throws IOException {
        write(response, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the request's chunks as Jetty hands them over, without Jetty's blocking stream: its
     * reads wait without limit, this one until the {@link BodyDeadline} says the client is too
     * slow.
     */
    private static final class BodyStream extends InputStream {
        private final Request request;
        private final long limit;
        private final BodyDeadline deadline;
        private final long started = System.nanoTime();
        private long received;
        private Content.Chunk chunk;
        private boolean ended;

        BodyStream(Request request, long limit, BodyDeadline deadline) {
            this.request = request;
            this.limit = limit;
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (!ended) {
                if (chunk == null) {
                    chunk = nextChunk();
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                if (bytes.hasRemaining()) {
                    int n = Math.min(length, bytes.remaining());
                    bytes.get(into, offset, n);
                    received += n;
                    if (received > limit) {
                        throw new BodyTooLargeException(limit);
                    }
                    return n;
                }
                ended = chunk.isLast();
                chunk.release();
                chunk = null;
            }
            return -1;
        }

        private Content.Chunk nextChunk() throws IOException {
            while (true) {
                Content.Chunk next = request.read();
                if (next != null) {
                    if (Content.Chunk.isFailure(next)) {
                        Throwable failure = next.getFailure();
                        throw failure instanceof IOException io ? io : new IOException(failure);
                    }
                    return next;
                }
                long wait = started + deadline.nextByteDueNanos(received) - System.nanoTime();
                if (wait <= 0) {
                    throw new BodyTimeoutException(deadline);
                }
                CountDownLatch readable = new CountDownLatch(1);
                request.demand(readable::countDown);
                try {
                    if (!readable.await(wait, TimeUnit.NANOSECONDS)) {
                        throw new BodyTimeoutException(deadline);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the request body");
                }
            }
        }

        @Override
        public void close() {
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
        }
    }

    /** Thrown when a body passes its limit. */
    public static final class BodyTooLargeException extends IOException {
        private final long limit;

        public BodyTooLargeException(long limit) {
            super("body larger than " + limit + " bytes");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** Thrown when a body does not arrive within its {@link BodyDeadline}: answered 408. */
    public static final class BodyTimeoutException extends IOException {
        public BodyTimeoutException(BodyDeadline deadline) {
            super("the request body came too slowly: " + deadline.describe());
        }
    }
}
