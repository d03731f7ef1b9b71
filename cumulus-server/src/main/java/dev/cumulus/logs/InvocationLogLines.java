package dev.cumulus.logs;

/**
 * The lines Lambda writes around every invocation, in its exact format, so tools that parse them
 * (billed duration, init duration) read Cumulus's logs as they read CloudWatch's:
 * {@code START RequestId: ID Version: V}, {@code END RequestId: ID} and
 * {@code REPORT RequestId: ID\tDuration: 2.89 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB[\tInit Duration: 136.72 ms]}.
 * Lambda's {@code Max Memory Used} is left out: the node does not measure it per invocation.
 */
public final class InvocationLogLines {
    private InvocationLogLines() {}

    public static String start(String requestId, String version) {
        return "START RequestId: " + requestId + " Version: " + version;
    }

    public static String end(String requestId) {
        return "END RequestId: " + requestId;
    }

    /** @param initDurationMicros the cold start's start-up time, 0 for a warm invocation (then left out) */
    public static String report(String requestId, long durationMicros, long billedMs, int memoryMb, long initDurationMicros) {
        String line = "REPORT RequestId: " + requestId + "\tDuration: " + millis(durationMicros) + " ms\tBilled Duration: "
                + billedMs + " ms\tMemory Size: " + memoryMb + " MB";
        return initDurationMicros > 0 ? line + "\tInit Duration: " + millis(initDurationMicros) + " ms" : line;
    }

    /**
     * Microseconds as milliseconds with two decimals, rounded half up as {@code %.2f} does; by
     * hand because this runs for every invocation and {@code String.format} parses its pattern
     * each time (3 % of the node's CPU samples on the warm path).
     */
    static String millis(long micros) {
        long hundredths = (micros + 5) / 10;
        long fraction = hundredths % 100;
        return (hundredths / 100) + (fraction < 10 ? ".0" : ".") + fraction;
    }
}
