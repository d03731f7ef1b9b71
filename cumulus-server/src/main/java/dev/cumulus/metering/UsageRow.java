package dev.cumulus.metering;

/** Usage of one function over a period. */
public record UsageRow(
        String functionName, long requests, long errors, long coldStarts, long billedMs, double gbSeconds) {}
