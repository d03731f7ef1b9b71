package dev.cumulus.runtime;

import dev.cumulus.function.FunctionLogger;
import java.io.PrintStream;

/** Writes each message as one line to the process's stdout, which the node tags per invocation. */
final class StdoutLogger implements FunctionLogger {
    private final PrintStream out;

    StdoutLogger(PrintStream out) {
        this.out = out;
    }

    @Override
    public void log(String message) {
        if (message != null && message.endsWith("\n")) {
            out.print(message);
        } else {
            out.println(message);
        }
        out.flush();
    }
}
