package com.example.hello;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Answers {@code "hello"} without reading its event or logging: the no-op that bench/run sets beside
 * RawHello and its peers' hello servers, which do no more. {@link Hello} is the same function with a
 * little work (its JSON input decoded, a log line, a JSON answer).
 */
public class NoOp implements RequestStreamHandler {
    private static final byte[] ANSWER = "\"hello\"".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        out.write(ANSWER);
    }
}
