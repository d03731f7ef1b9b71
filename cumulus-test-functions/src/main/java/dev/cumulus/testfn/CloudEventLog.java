package dev.cumulus.testfn;

import dev.cumulus.function.CloudEvent;
import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints one log line per event, {@code ce <id>|<type>|<source>|<subject>|<input on one line>},
 * from the CloudEvent attributes its Context shows, so tests read back which events arrived
 * and what the function saw. Input {@code {"fail": true}} fails the invocation after printing.
 */
public class CloudEventLog implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String event = new String(input.readAllBytes(), StandardCharsets.UTF_8).replace("\n", " ");
        CloudEvent ce = context.cloudEvent().orElse(null);
        String line = ce == null ? "ce none|" + event
                : "ce " + ce.id() + "|" + ce.type() + "|" + ce.source() + "|" + ce.subject() + "|" + event;
        System.out.println(line);
        System.out.flush();
        if (event.contains("\"fail\":true") || event.contains("\"fail\": true")) {
            throw new IllegalStateException("failing as asked: " + event);
        }
        output.write("{}".getBytes(StandardCharsets.UTF_8));
    }
}
