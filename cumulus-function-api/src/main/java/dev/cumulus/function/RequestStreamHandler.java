package dev.cumulus.function;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A function that reads the raw event bytes and writes the raw result bytes itself. */
@FunctionalInterface
public interface RequestStreamHandler {
    void handleRequest(InputStream input, OutputStream output, Context context) throws IOException;
}
