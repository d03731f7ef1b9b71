package dev.cumulus.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/** Blocking helpers over Jetty's request and response; only call them from a virtual thread. */
public final class Exchange {
    private Exchange() {}

    /**
     * Reads the whole body, refusing more than {@code limit} bytes without reading them all.
     *
     * @throws BodyTooLargeException beyond the limit
     */
    public static byte[] readBody(Request request, long limit) throws IOException {
        long declared = request.getLength();
        if (declared > limit) {
            throw new BodyTooLargeException(limit);
        }
        if (declared == 0) {
            return new byte[0];
        }
        try (InputStream in = Request.asInputStream(request)) {
            // with a declared length, one exact read; otherwise read up to one byte past the limit
            byte[] body = in.readNBytes(declared > 0 ? (int) declared : (int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            if (body.length > limit) {
                throw new BodyTooLargeException(limit);
            }
            return body;
        }
    }

    public static void write(Response response, int status, String contentType, byte[] body) throws IOException {
        response.setStatus(status);
        if (contentType != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        Content.Sink.write(response, true, ByteBuffer.wrap(body));
    }

    public static void writeText(Response response, int status, String contentType, String body) throws IOException {
        write(response, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Thrown by {@link #readBody} when a body passes its limit. */
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
}
