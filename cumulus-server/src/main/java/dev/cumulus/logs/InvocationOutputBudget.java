package dev.cumulus.logs;

import java.util.Objects;

/**
 * How much output (in characters, line breaks included) one invocation may leave in its
 * function's log: past the budget its further
 * lines are dropped, with one line saying so. Lines outside any invocation (start-up, idle) share
 * one budget until the next invocation begins. One per instance, used by its output reader only.
 */
public final class InvocationOutputBudget {
    public static final long MAX_CHARS_PER_INVOCATION = 4L * 1024 * 1024;

    private final long maxChars;
    private String requestId;
    private long used;
    private boolean exhausted;

    public InvocationOutputBudget(long maxChars) {
        this.maxChars = maxChars;
    }

    /**
     * What to log for {@code line} written during {@code requestId} (null outside an
     * invocation): the line itself, once the notice that the budget is spent, then null (drop).
     */
    public String admit(String requestId, String line) {
        if (!Objects.equals(requestId, this.requestId)) {
            this.requestId = requestId;
            used = 0;
            exhausted = false;
        }
        if (exhausted) {
            return null;
        }
        used += line.length() + 1L;
        if (used <= maxChars) {
            return line;
        }
        exhausted = true;
        return "cumulus: this invocation's output passed " + maxChars + " characters; its further lines are dropped";
    }
}
