package dev.cumulus.web;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/**
 * Creates Jetty servers whose handlers run on virtual threads, without a cap on their number.
 *
 * <p>Jetty's {@link VirtualThreadPool} allows 200 at a time by default, and every task of the
 * server needs one of those permits: not only handlers, but also the tasks that hand a parked
 * handler the next bytes of its body or tell it that its client is gone. 200 clients that send a
 * body slowly therefore held every permit, the tasks that would have woken them queued behind
 * them, and the node answered nothing, even after those clients had left (issue 10). What
 * bounds the work instead is admission in front of the handlers (the edge's pools and per-client
 * caps, each instance's Runtime API caps), which refuses rather than queues.
 */
public final class Servers {
    private Servers() {}

    public static Server newServer(String name) {
        VirtualThreadPool threads = new VirtualThreadPool(0);
        threads.setName(name);
        threads.setTracking(true); // counts live threads: see threads()
        Server server = new Server(threads);
        server.setStopTimeout(5_000);
        return server;
    }

    /** The server's live threads (handlers, selectors and acceptors) as its pool tracks them. */
    public static int threads(Server server) {
        return server.getThreadPool().getThreads();
    }

    /** HTTP/1.1 without the Server and Date headers nobody needs on every response. */
    public static HttpConnectionFactory http1() {
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        config.setSendXPoweredBy(false);
        config.setRequestHeaderSize(16 * 1024);
        // header values as the client sent them: Jetty's cache would hand back its own spelling of
        // a known value ("charset=utf-8" for "charset=UTF-8"), and SigV4 signs the exact bytes
        config.setHeaderCacheCaseSensitive(true);
        return new HttpConnectionFactory(config);
    }
}
