package dev.cumulus.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The physical baseline of the benchmark: the JDK's own HTTP server on virtual threads answering
 * {@code hello} to every request. Whatever Cumulus does per request comes on top of this.
 *
 * <p>Usage: {@code java -jar cumulus-bench.jar PORT} (listens on 127.0.0.1 only).
 */
public final class RawHello {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    private RawHello() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: RawHello PORT");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                try (InputStream in = exchange.getRequestBody()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, HELLO.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(HELLO);
                }
            }
        });
        server.start();
        System.out.println("RawHello listening on http://127.0.0.1:" + server.getAddress().getPort());
    }
}
