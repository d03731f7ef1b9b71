package dev.cumulus.testfn;

import dev.cumulus.function.CloudEvent;
import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Answers what it got: the CloudEvent attributes its Context shows and its raw input, as
 * {@code {"cloudEvent": {...} or null, "input": "<the body as text>"}}.
 */
public class CloudEventEcho implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String body = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        String cloudEvent = context.cloudEvent().map(CloudEventEcho::json).orElse("null");
        output.write(("{\"cloudEvent\":" + cloudEvent + ",\"input\":" + quote(body) + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String json(CloudEvent e) {
        return "{\"id\":" + quote(e.id()) + ",\"source\":" + quote(e.source()) + ",\"specversion\":"
                + quote(e.specVersion()) + ",\"type\":" + quote(e.type()) + ",\"subject\":" + quote(e.subject())
                + ",\"time\":" + quote(e.time() == null ? null : e.time().toString()) + ",\"datacontenttype\":"
                + quote(e.dataContentType()) + "}";
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
