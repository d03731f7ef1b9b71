// A bare Jetty 12 hello on the node's setup (VirtualThreadPool(0) with tracking, one acceptor, one selector,
// no Server or Date header): the baseline for what the edge adds per request. See ../2026-12-07-c32-what-bounds-it.md.
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.*;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

public class JettyHello {
    public static void main(String[] args) throws Exception {
        VirtualThreadPool threads = new VirtualThreadPool(0);
        threads.setTracking(true);
        Server server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        config.setSendDateHeader(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        server.addConnector(connector);
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Type", "text/plain");
                response.write(true, ByteBuffer.wrap(hello), callback);
                return true;
            }
        });
        server.start();
        server.join();
    }
}
