package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tries to reach what a sandboxed function must not: a file ({@code read}), a directory listing
 * ({@code list}) or a TCP port ({@code connect: "host:port"}). Answers what happened.
 */
public class Snoop implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            if (input.get("read") != null) {
                out.put("content", Files.readString(Path.of((String) input.get("read"))));
            } else if (input.get("list") != null) {
                try (var entries = Files.list(Path.of((String) input.get("list")))) {
                    out.put("entries", entries.map(p -> p.getFileName().toString()).sorted().toList());
                }
            } else if (input.get("write") != null) {
                Files.writeString(Path.of((String) input.get("write")), "written by " + context.functionName());
                out.put("written", true);
            } else if (input.get("connect") != null) {
                String[] hostPort = ((String) input.get("connect")).split(":");
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 2_000);
                    out.put("connected", true);
                }
            } else if (input.get("env") != null) {
                out.put("env", System.getenv());
            }
            out.put("ok", true);
        } catch (Exception e) {
            out.put("ok", false);
            out.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return out;
    }
}
