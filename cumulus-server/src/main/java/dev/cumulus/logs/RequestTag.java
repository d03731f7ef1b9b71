package dev.cumulus.logs;

/**
 * The request id a runtime puts before a line of an instance's output so that the node files the
 * line under that invocation: {@code RS} (U+001E), the id, {@code US} (U+001F), then the line. The
 * Java runtime tags every line an invocation writes (docs/adr/0049); a {@code provided} runtime
 * that runs several invocations at once may do the same. A line without a well-formed tag is the
 * instance's as it stands, filed under the invocation the node guesses.
 *
 * <p>A function can only label lines of its own log with it, which it could always fill with
 * anything; it cannot reach another function's log.
 */
public final class RequestTag {
    public static final char START = '\u001e';
    public static final char END = '\u001f';
    /** Longer ids are no tag: the node's own ids are 36 characters, Lambda's the same. */
    static final int MAX_ID_LENGTH = 128;

    private RequestTag() {}

    /**
     * The index of the {@link #END} that closes {@code line}'s tag, or -1 when it has none: the
     * id must be 1 to {@value #MAX_ID_LENGTH} of {@code [A-Za-z0-9._:-]}.
     */
    public static int end(String line) {
        if (line.isEmpty() || line.charAt(0) != START) {
            return -1;
        }
        int limit = Math.min(line.length(), MAX_ID_LENGTH + 2);
        for (int i = 1; i < limit; i++) {
            char c = line.charAt(i);
            if (c == END) {
                return i > 1 ? i : -1;
            }
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == ':';
            if (!allowed) {
                return -1;
            }
        }
        return -1;
    }

    /** The request id of a line whose tag ends at {@code end}. */
    public static String requestId(String line, int end) {
        return line.substring(1, end);
    }

    /** The line without its tag. */
    public static String text(String line, int end) {
        return line.substring(end + 1);
    }
}
