package dev.cumulus.metering;

import java.time.Instant;
import java.util.List;

/** Reads what the Meter stored. */
public interface Usage {
    /** One row per function with at least one invocation starting in [from, to), by name. */
    List<UsageRow> byFunction(Instant from, Instant to);

    /** The raw records starting in [from, to), oldest first; for audits and tests. */
    List<InvocationRecord> records(Instant from, Instant to);
}
