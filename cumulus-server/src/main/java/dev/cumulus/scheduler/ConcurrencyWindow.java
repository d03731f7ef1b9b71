package dev.cumulus.scheduler;

/**
 * The most invocations a pool ran at once within a recent window (Knative's "stable window"):
 * how many instances recent traffic needs, so that a burst's surplus can leave without waiting
 * for each instance's keep-alive. Slots of a sixth of the window each keep their own peak; the
 * window's peak is the largest of the slots still inside it. Pure logic: the caller passes the
 * time, and guards it with its own lock.
 */
final class ConcurrencyWindow {
    private static final int SLOTS = 6;

    private final long slotNanos;
    private final long[] slotIndex = new long[SLOTS];
    private final int[] slotPeak = new int[SLOTS];

    ConcurrencyWindow(long windowNanos) {
        this.slotNanos = Math.max(1, windowNanos / SLOTS);
        java.util.Arrays.fill(slotIndex, Long.MIN_VALUE);
    }

    /** {@code inFlight} invocations run at once at {@code nowNanos}. */
    void record(long nowNanos, int inFlight) {
        long index = Math.floorDiv(nowNanos, slotNanos);
        int slot = (int) Math.floorMod(index, SLOTS);
        if (slotIndex[slot] != index) {
            slotIndex[slot] = index;
            slotPeak[slot] = 0;
        }
        slotPeak[slot] = Math.max(slotPeak[slot], inFlight);
    }

    /** The peak over the window that ends at {@code nowNanos}; 0 when nothing ran in it. */
    int peak(long nowNanos) {
        long current = Math.floorDiv(nowNanos, slotNanos);
        int peak = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            if (slotIndex[slot] != Long.MIN_VALUE && current - slotIndex[slot] < SLOTS) {
                peak = Math.max(peak, slotPeak[slot]);
            }
        }
        return peak;
    }
}
