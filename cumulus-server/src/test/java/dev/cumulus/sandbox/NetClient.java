package dev.cumulus.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A client run inside the sandbox that tries TCP to the host's loopback and then a Unix socket,
 * printing "tcp: ..." and "unix: ...". python3 when the host has it (fast), else a Java
 * single-file program.
 */
final class NetClient {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String CLIENT_DIR = "/opt/netclient";

    private static final String PY = """
            import socket, sys
            try:
                socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
                print("tcp: connected", flush=True)
            except Exception as e:
                print("tcp: failed", e, flush=True)
            u = socket.socket(socket.AF_UNIX)
            u.connect(sys.argv[2])
            print("unix:", u.recv(100).decode().strip(), flush=True)
            """;

    private static final String JAVA = """
            import java.net.*; import java.nio.*; import java.nio.channels.*;
            public class Client {
                public static void main(String[] a) throws Exception {
                    try (var s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[0])), 3000);
                        System.out.println("tcp: connected");
                    } catch (Exception e) { System.out.println("tcp: failed " + e); }
                    try (var u = SocketChannel.open(UnixDomainSocketAddress.of(a[1]))) {
                        var b = ByteBuffer.allocate(100); u.read(b);
                        System.out.println("unix: " + new String(b.array(), 0, b.position()).strip());
                    }
                }
            }
            """;

    private NetClient() {}

    static List<String> command(int port, String socket) {
        return Files.isExecutable(PYTHON)
                ? List.of(PYTHON.toString(), "-c", PY, Integer.toString(port), socket)
                : List.of(Specs.JDK + "/bin/java", CLIENT_DIR + "/Client.java", Integer.toString(port), socket);
    }

    static List<Mount> mounts(Mount socketMount) {
        if (Files.isExecutable(PYTHON)) {
            return List.of(socketMount);
        }
        try {
            Path dir = Files.createTempDirectory("netclient");
            Files.writeString(dir.resolve("Client.java"), JAVA);
            return List.of(socketMount, Mount.readOnly(dir, CLIENT_DIR));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
