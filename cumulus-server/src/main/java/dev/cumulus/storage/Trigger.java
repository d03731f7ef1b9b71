package dev.cumulus.storage;

import java.util.List;

/**
 * A function invoked (asynchronously, with retries and a dead-letter destination as every async
 * event) for the changes of one bucket whose key has {@code prefix} and {@code suffix}: one
 * LambdaFunctionConfiguration of a bucket's notification configuration.
 *
 * @param events S3 event patterns, e.g. {@code s3:ObjectCreated:*} or {@code s3:ObjectRemoved:Delete}
 */
record Trigger(String id, String function, List<String> events, String prefix, String suffix) {

    /** Whether the change {@code eventName} ({@code ObjectCreated:Put}) of {@code key} is for this trigger. */
    boolean matches(String eventName, String key) {
        if (!key.startsWith(prefix) || !key.endsWith(suffix)) {
            return false;
        }
        String full = "s3:" + eventName;
        for (String pattern : events) {
            if (pattern.equals(full) || pattern.endsWith(":*")
                    && full.startsWith(pattern.substring(0, pattern.length() - 1))) {
                return true;
            }
        }
        return false;
    }
}
