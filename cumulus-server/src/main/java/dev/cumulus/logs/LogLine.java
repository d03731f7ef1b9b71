package dev.cumulus.logs;

import java.time.Instant;

/** One line of function output. {@code requestId} is null for lines written outside an invocation. */
public record LogLine(long sequence, Instant time, String functionName, String instanceId, String requestId, String line) {}
