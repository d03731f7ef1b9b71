package dev.cumulus.lambdaapi;

import java.util.Map;

/** Lambda's runtime identifiers and the Cumulus runtime each one runs on. */
final class Runtimes {
    private static final Map<String, String> TO_CUMULUS = Map.of(
            "java11", "java25",
            "java17", "java25",
            "java21", "java25",
            "java25", "java25",
            "provided", "provided",
            "provided.al2", "provided",
            "provided.al2023", "provided");

    private Runtimes() {}

    static String toCumulus(String lambdaRuntime) {
        String runtime = TO_CUMULUS.get(lambdaRuntime);
        if (runtime == null) {
            throw LambdaError.invalid("Value " + lambdaRuntime + " at 'runtime' failed to satisfy constraint: Cumulus runs "
                    + String.join(", ", new java.util.TreeSet<>(TO_CUMULUS.keySet())));
        }
        return runtime;
    }
}
