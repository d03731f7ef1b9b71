package dev.cumulus.scheduler;

/** Live instances of a function by state, as {@code GET /v1/functions/{name}} shows them. */
public record InstanceCounts(int starting, int idle, int busy) {
    public static final InstanceCounts NONE = new InstanceCounts(0, 0, 0);

    public int total() {
        return starting + idle + busy;
    }

    InstanceCounts plus(InstanceCounts other) {
        return new InstanceCounts(starting + other.starting, idle + other.idle, busy + other.busy);
    }
}
