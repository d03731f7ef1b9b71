package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-instance concurrency made visible, by {@code {"do": ...}} (through a function URL, by the
 * query: {@code ?do=wait}): {@code wait} blocks until a
 * {@code release} arrives (at most 30 s); {@code work} runs {@code ms} milliseconds; {@code max}
 * says how many {@code wait}/{@code work} invocations this instance ever ran at once;
 * {@code transport} names the frame socket the runtime was offered; {@code halt} kills the JVM;
 * {@code last-words} writes a line through its logger and one through {@code System.out}, then
 * kills the JVM;
 * {@code squat} connects to the frame socket itself, as hostile function code would, says HELLO
 * and reports whether the node answered or closed the connection; {@code chatter} waits until
 * {@code parties} chatter invocations run in this instance at once, then each writes {@code lines}
 * lines naming its own request id, through {@code System.out} (some in pieces), {@code System.err},
 * its logger on its own thread and on another, and ends with a line left without a newline.
 */
public class Gate implements RequestHandler<Map<String, Object>, String> {
    private static final CountDownLatch OPEN = new CountDownLatch(1);
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger MOST = new AtomicInteger();

    @Override
    public String handleRequest(Map<String, Object> input, Context context) {
        Object asked = input.get("do");
        if (asked == null && input.get("queryStringParameters") instanceof Map<?, ?> query) {
            asked = query.get("do"); // through a function URL: ?do=wait
        }
        String what = String.valueOf(asked);
        switch (what) {
            case "release" -> {
                OPEN.countDown();
                return "released";
            }
            case "max" -> {
                return Integer.toString(MOST.get());
            }
            case "transport" -> {
                return String.valueOf(System.getenv("CUMULUS_FRAME_SOCKET"));
            }
            case "halt" -> Runtime.getRuntime().halt(7);
            case "last-words" -> {
                context.logger().log("last words " + context.requestId() + " by logger");
                System.out.println("last words " + context.requestId() + " on stdout");
                Runtime.getRuntime().halt(7); // no shutdown hook, no flush: what was written is all there is
            }
            case "squat" -> {
                return squat();
            }
            case "chatter" -> {
                return chatter(((Number) input.get("parties")).intValue(), ((Number) input.get("lines")).intValue(),
                        context);
            }
            default -> {
                // wait and work below
            }
        }
        MOST.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
        try {
            if (what.equals("wait")) {
                return OPEN.await(30, TimeUnit.SECONDS) ? "opened" : "never opened";
            }
            Thread.sleep(((Number) input.getOrDefault("ms", 10)).longValue());
            return "worked";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            RUNNING.decrementAndGet();
        }
    }

    private static CountDownLatch chatters;

    private static String chatter(int parties, int lines, Context context) {
        CountDownLatch all;
        synchronized (Gate.class) {
            if (chatters == null || chatters.getCount() == 0) {
                chatters = new CountDownLatch(parties);
            }
            all = chatters;
        }
        all.countDown();
        try {
            if (!all.await(20, TimeUnit.SECONDS)) {
                return "alone";
            }
            String id = context.requestId();
            for (int i = 0; i < lines; i++) {
                switch (i % 4) {
                    case 0 -> System.out.println("chatter " + id + " out " + i);
                    case 1 -> {
                        System.out.print("chatter " + id);
                        Thread.yield();
                        System.out.println(" pieces " + i);
                    }
                    case 2 -> System.err.println("chatter " + id + " err " + i);
                    default -> context.logger().log("chatter " + id + " logger " + i);
                }
                Thread.yield();
            }
            Thread helper = Thread.ofPlatform().start(() -> context.logger().log("chatter " + id + " helper"));
            helper.join();
            System.out.print("chatter " + id + " open");
            return "chattered";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String squat() {
        try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                socket.connect(UnixDomainSocketAddress.of(System.getenv("CUMULUS_FRAME_SOCKET")));
            } catch (IOException e) {
                return "cannot connect: " + e.getMessage();
            }
            try {
                // HELLO, version 1 (docs/adr/0042-framed-runtime-transport.md)
                ByteBuffer hello = ByteBuffer.allocate(9).putInt(5).put((byte) 0x01).putInt(1).flip();
                while (hello.hasRemaining()) {
                    socket.write(hello);
                }
                return socket.read(ByteBuffer.allocate(64)) < 0 ? "closed" : "answered";
            } catch (IOException closedOrReset) {
                return "closed";
            }
        } catch (IOException e) {
            return "cannot open a socket: " + e.getMessage();
        }
    }
}
