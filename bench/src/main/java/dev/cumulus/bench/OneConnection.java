package dev.cumulus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A second latency tool beside wrk for the one-connection rows: one keep-alive HTTP/1.1
 * connection, one request at a time, every request timed with {@link System#nanoTime()} from the
 * first byte written to the last byte of the answer read, and every sample kept (no histogram
 * buckets, no sampling), so the percentiles are exact over the run. It also reports the longest
 * stalls with the time they started, which tells a few long pauses from a slow tail.
 *
 * <p>Usage: {@code java -cp cumulus-bench.jar dev.cumulus.bench.OneConnection URL SECONDS
 * [METHOD [BODY [Header:value...]]]}. Every answer must be {@code 200}, with a Content-Length or
 * chunked; anything else stops the run with a non-zero exit.
 */
public final class OneConnection {
    private OneConnection() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: OneConnection URL SECONDS [METHOD [BODY [Header:value...]]]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        double seconds = Double.parseDouble(args[1]);
        String method = args.length > 2 ? args[2] : "GET";
        byte[] body = args.length > 3 ? args[3].getBytes(StandardCharsets.UTF_8) : new byte[0];
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", uri.getHost() + ":" + uri.getPort());
        for (int i = 4; i < args.length; i++) {
            int colon = args[i].indexOf(':');
            headers.put(args[i].substring(0, colon).trim(), args[i].substring(colon + 1).trim());
        }
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                .append(" HTTP/1.1\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body.length > 0 || !method.equals("GET")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);

        long[] samples = new long[1 << 16];
        long[] startedAt = new long[1 << 16];
        int n = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            OutputStream out = socket.getOutputStream();
            Reader in = new Reader(socket.getInputStream());
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            long now = t0;
            while (now < end) {
                long start = System.nanoTime();
                out.write(request);
                out.flush();
                in.readAnswer();
                now = System.nanoTime();
                if (n == samples.length) {
                    samples = Arrays.copyOf(samples, n * 2);
                    startedAt = Arrays.copyOf(startedAt, n * 2);
                }
                samples[n] = now - start;
                startedAt[n] = start - t0;
                n++;
            }
        }
        report(Arrays.copyOf(samples, n), Arrays.copyOf(startedAt, n), seconds);
    }

    private static void report(long[] samples, long[] startedAt, double seconds) {
        int n = samples.length;
        Integer[] byLength = new Integer[n];
        for (int i = 0; i < n; i++) byLength[i] = i;
        Arrays.sort(byLength, (a, b) -> Long.compare(samples[b], samples[a]));
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        long sum = 0;
        for (long s : sorted) sum += s;
        System.out.printf(Locale.ROOT, "requests %d in %.1f s: %.0f req/s%n", n, seconds, n / seconds);
        System.out.printf(Locale.ROOT, "mean %.3f ms  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
                sum / (double) n / 1e6, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9),
                sorted[n - 1] / 1e6);
        StringBuilder longest = new StringBuilder("longest:");
        for (int i = 0; i < Math.min(10, n); i++) {
            int k = byLength[i];
            longest.append(String.format(Locale.ROOT, " %.2fms@%.2fs", samples[k] / 1e6, startedAt[k] / 1e9));
        }
        System.out.println(longest);
    }

    /** Nearest-rank percentile, in milliseconds. */
    private static double pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    /** Reads one HTTP/1.1 answer: status line, headers, a Content-Length body. */
    private static final class Reader {
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];
        private int pos;
        private int lim;

        Reader(InputStream in) {
            this.in = in;
        }

        void readAnswer() throws IOException {
            String status = line();
            if (!status.startsWith("HTTP/1.1 200")) throw new IOException("answer: " + status);
            long length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Long.parseLong(h.substring(15).trim());
                if (h.regionMatches(true, 0, "transfer-encoding:", 0, 18)) chunked = h.toLowerCase(Locale.ROOT).contains("chunked");
            }
            if (chunked) {
                for (long size = chunkSize(); size > 0; size = chunkSize()) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {} // trailers
                return;
            }
            if (length < 0) throw new IOException("neither Content-Length nor chunked in the answer");
            skip(length);
        }

        private long chunkSize() throws IOException {
            String size = line();
            int semicolon = size.indexOf(';');
            return Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        }

        private void skip(long length) throws IOException {
            while (length > 0) {
                if (pos == lim) fill();
                int take = (int) Math.min(length, lim - pos);
                pos += take;
                length -= take;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos == lim) fill();
                byte b = buf[pos++];
                if (b == '\n') break;
                if (b != '\r') sb.append((char) b);
            }
            return sb.toString();
        }

        private void fill() throws IOException {
            lim = in.read(buf);
            pos = 0;
            if (lim < 0) throw new IOException("connection closed by the server");
        }
    }
}
