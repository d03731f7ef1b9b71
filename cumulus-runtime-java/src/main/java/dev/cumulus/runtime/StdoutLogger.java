package dev.cumulus.runtime;

import dev.cumulus.function.FunctionLogger;

/**
 * One invocation's logger: each message leaves as lines on the process's stdout tagged with the
 * invocation's request id ({@link InvocationOutput}), from whichever thread logs it, so the node
 * files them under that invocation even when the instance runs several at once. The line is
 * encoded here, in the stream's charset, and written in one piece: {@code PrintStream.println}
 * went through its char encoder under a second lock and flushed twice, most of a warm
 * invocation's logging cost in the instance's profile (issue 12).
 */
final class StdoutLogger implements FunctionLogger {
    private final InvocationOutput output;
    private final String requestId;

    StdoutLogger(InvocationOutput output, String requestId) {
        this.output = output;
        this.requestId = requestId;
    }

    @Override
    public void log(String message) {
        output.log(requestId, message == null ? "null" : message);
    }
}
