package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Appends each scheduled event's {@code time} as a line to {@code $TICK_DIR/ticks}: a durable
 * record, outside the node, of every tick the function saw (the directory is a writable mount).
 */
public class TickRecorder implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        String line = event.get("time") + " " + event.get("id") + "\n";
        try {
            Files.writeString(Path.of(System.getenv("TICK_DIR"), "ticks"), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "recorded";
    }
}
