package dev.cumulus.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits an instance's output into lines without trusting it: it reads fixed chunks and never
 * holds more than one line's limit, so output without a newline costs the node no more memory
 * than output with one (issue 10: a function printing 1.5 GB without a newline took a node that
 * read it with {@code readLine} to 4.3 GB). A longer line is cut at the limit and marked; the
 * rest of it, up to its newline, is dropped.
 */
public final class OutputLines {
    /** The longest line kept, in bytes of output. */
    public static final int MAX_LINE_BYTES = 256 * 1024;
    private static final int CHUNK_BYTES = 64 * 1024;

    private final int maxLineBytes;
    private final Consumer<String> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /** True while dropping what is left of a line that was cut. */
    private boolean cutting;

    private OutputLines(int maxLineBytes, Consumer<String> sink) {
        this.maxLineBytes = maxLineBytes;
        this.sink = sink;
    }

    /** The marker that ends a line cut at {@code maxLineBytes}. */
    public static String cutMarker(int maxLineBytes) {
        return " [cumulus: line cut at " + maxLineBytes + " bytes]";
    }

    /**
     * Reads {@code in} to its end and hands each line, without its line break, to {@code sink};
     * a last line without a newline is handed over at the end.
     */
    public static void pump(InputStream in, int maxLineBytes, Consumer<String> sink) throws IOException {
        OutputLines lines = new OutputLines(maxLineBytes, sink);
        byte[] chunk = new byte[CHUNK_BYTES];
        int n;
        while ((n = in.read(chunk)) != -1) {
            lines.takeAll(chunk, n);
        }
        lines.end();
    }

    /**
     * Output that came whole (an output frame, docs/adr/0054: one line, its line break included),
     * handed to {@code sink} line by line by the rules of {@link #pump}: split at newlines, each
     * line cut at the limit and marked, a last line without a newline handed over too.
     */
    public static void split(byte[] output, int maxLineBytes, Consumer<String> sink) {
        OutputLines lines = new OutputLines(maxLineBytes, sink);
        lines.takeAll(output, output.length);
        lines.end();
    }

    private void takeAll(byte[] chunk, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (chunk[i] == '\n') {
                take(chunk, start, i - start, true);
                start = i + 1;
            }
        }
        take(chunk, start, n - start, false);
    }

    private void end() {
        if (line.size() > 0) {
            emit("");
        }
    }

    private void take(byte[] bytes, int offset, int length, boolean endsLine) {
        if (cutting) {
            cutting = !endsLine;
            return;
        }
        int room = maxLineBytes - line.size();
        if (length <= room) {
            line.write(bytes, offset, length);
            if (endsLine) {
                emit("");
            }
            return;
        }
        line.write(bytes, offset, room);
        emit(cutMarker(maxLineBytes));
        cutting = !endsLine;
    }

    private void emit(String suffix) {
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' && suffix.isEmpty() ? bytes.length - 1 : bytes.length;
        line.reset();
        sink.accept(new String(bytes, 0, length, StandardCharsets.UTF_8) + suffix);
    }
}
