package dev.cumulus.testfn;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Prints the raw event it got as one log line ({@code event <json>}), e.g. as an on-failure destination. */
public class PrintEvent implements RequestStreamHandler {
    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String event = new String(input.readAllBytes(), StandardCharsets.UTF_8).replace("\n", " ");
        System.out.println("event " + event);
        System.out.flush();
        output.write("{}".getBytes(StandardCharsets.UTF_8));
    }
}
