package dev.cumulus.runtime;

import dev.cumulus.function.FunctionLogger;
import java.io.PrintStream;

/**
 * Writes each message as one line to the process's stdout, which the node tags per invocation.
 *
 * <p>The line is encoded here, in the stream's own charset, and handed to the stream as bytes in
 * one write: {@code PrintStream.println} sends a string through its char encoder under a second
 * lock and flushes twice, which was most of a warm invocation's logging cost in the instance's
 * profile (issue 12). It goes through the same stream as {@code System.out}, under its lock, so
 * the logger's lines and the function's own prints stay in the order they were made.
 */
final class StdoutLogger implements FunctionLogger {
    private final PrintStream out;

    StdoutLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void log(String message) {
        String line = message == null ? "null\n" : message.endsWith("\n") ? message : message + "\n";
        byte[] bytes = line.getBytes(out.charset());
        out.write(bytes, 0, bytes.length);
        out.flush();
    }
}
