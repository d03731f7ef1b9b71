package dev.cumulus.web;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

/** Creates Jetty servers whose handlers run on virtual threads. */
public final class Servers {
    private Servers() {}

    public static Server newServer(String name) {
        VirtualThreadPool threads = new VirtualThreadPool();
        threads.setName(name);
        Server server = new Server(threads);
        server.setStopTimeout(5_000);
        return server;
    }

    /** HTTP/1.1 without the Server and Date headers nobody needs on every response. */
    public static HttpConnectionFactory http1() {
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        config.setSendXPoweredBy(false);
        config.setRequestHeaderSize(16 * 1024);
        return new HttpConnectionFactory(config);
    }
}
