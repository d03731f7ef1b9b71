package dev.cumulus.logs;

import java.util.Locale;

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

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }
}
