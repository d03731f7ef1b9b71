package dev.cumulus.sources;

/** Where a runner's batches go: the mapping's function, and its on-failure destination. */
interface Dispatch {

    /** Why an invocation failed, as the function (or the platform) reported it. */
    record FailureReason(String errorType, String errorMessage) {
        @Override
        public String toString() {
            return errorType + (errorMessage == null || errorMessage.isBlank() ? "" : ": " + errorMessage);
        }
    }

    /**
     * Invokes the mapping's function synchronously with the batch.
     *
     * @return null when the function succeeded, else why not (never throws for a failed invocation)
     */
    FailureReason invoke(SourceMapping mapping, byte[] batch) throws InterruptedException;

    /**
     * Hands a batch whose retries are used up to the destination.
     *
     * @throws RuntimeException when the destination does not take it (the runner retries)
     */
    void onFailure(SourceMapping mapping, OnFailure destination, byte[] failureRecord, String idempotencyKey);
}
