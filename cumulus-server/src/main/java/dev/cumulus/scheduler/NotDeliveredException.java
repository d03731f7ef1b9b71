package dev.cumulus.scheduler;

/**
 * The instance's process ended before its runtime took the event: the function never saw it, so
 * running it on another instance cannot run it twice.
 */
final class NotDeliveredException extends Exception {
    NotDeliveredException() {
        super("the instance ended before it took the event", null, false, false);
    }
}
