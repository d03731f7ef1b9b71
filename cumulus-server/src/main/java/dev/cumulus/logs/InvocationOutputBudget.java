package dev.cumulus.logs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much output (in characters, line breaks included) one invocation may leave in its
 * function's log: past the budget its further lines are dropped, with one line saying so. Kept
 * per request, for as many requests as the instance runs at once and some more (their lines may
 * interleave in any order); lines outside any invocation (start-up) share one budget. One per
 * instance, used by its output reader only.
 */
public final class InvocationOutputBudget {
    public static final long MAX_CHARS_PER_INVOCATION = 4L * 1024 * 1024;
    /** Requests remembered beyond the instance's concurrency: the ones that just ended. */
    private static final int RECENT = 16;

    private final long maxChars;
    /** Characters used per request id, least recently written first; above maxChars once spent. */
    private final Map<String, long[]> used;

    /** A budget of {@code maxChars} for each invocation of an instance that runs {@code concurrency} at once. */
    public InvocationOutputBudget(long maxChars, int concurrency) {
        this.maxChars = maxChars;
        int remembered = concurrency + RECENT;
        this.used = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > remembered;
            }
        };
    }

    /**
     * What to log for {@code line} written during {@code requestId} (null outside an
     * invocation): the line itself, once the notice that the budget is spent, then null (drop).
     */
    public String admit(String requestId, String line) {
        long[] spent = used.computeIfAbsent(requestId, id -> new long[1]);
        if (spent[0] > maxChars) {
            return null;
        }
        spent[0] += line.length() + 1L;
        if (spent[0] <= maxChars) {
            return line;
        }
        return "cumulus: this invocation's output passed " + maxChars + " characters; its further lines are dropped";
    }
}
