package dev.cumulus.metering;

import java.time.Instant;
import java.util.List;

/** Reads what the Meter stored. */
public interface Usage {
    /** One row per function of the default project with an invocation starting in [from, to), by name. */
    default List<UsageRow> byFunction(Instant from, Instant to) {
        return byFunction(InvocationRecord.DEFAULT_PROJECT, from, to);
    }

    /** One row per function of {@code project} with at least one invocation starting in [from, to), by name. */
    List<UsageRow> byFunction(String project, Instant from, Instant to);

    /** The raw records starting in [from, to), oldest first; for audits and tests. */
    List<InvocationRecord> records(Instant from, Instant to);
}
