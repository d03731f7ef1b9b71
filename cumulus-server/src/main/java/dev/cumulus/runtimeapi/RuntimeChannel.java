package dev.cumulus.runtimeapi;

/** The platform side of one instance's Runtime API: where its calls land. */
public interface RuntimeChannel {

    /**
     * Blocks until there is an invocation for the instance. The first call also tells the
     * platform that the runtime finished its init. Null once the instance is being stopped.
     */
    PendingInvocation next() throws InterruptedException;

    /** The function's result for {@code requestId}. */
    Delivery respond(String requestId, byte[] payload);

    /** The function failed; {@code errorJson} is what the runtime posted (Lambda's error document). */
    Delivery error(String requestId, String errorType, byte[] errorJson);

    /** The runtime could not initialise the function; it will exit. */
    void initError(String errorType, byte[] errorJson);

    /**
     * How many invocations the instance may run at once: its Runtime API takes that many
     * {@code invocation/next} long polls and a few more (see {@link RuntimeApiServer}).
     */
    default int concurrency() {
        return 1;
    }

    /**
     * The function this instance runs, for the node services it calls ({@link InstanceService});
     * null while it runs none (a stem cell waiting to be specialised).
     */
    default String functionName() {
        return null;
    }

    /** The project of {@link #functionName()}: node services act in it and no other; null with it. */
    default String project() {
        return null;
    }

    /** The execution role of {@link #functionName()}, whose rights node services grant it; null for none. */
    default String role() {
        return null;
    }

    /**
     * For a stem cell: blocks until the node assigns it a function and returns the
     * specialisation document ({@code {"environment": {...}}}); null when this channel is not a
     * waiting stem cell. Served at {@code GET /cumulus/v1/specialise}, outside Lambda's API.
     */
    default byte[] awaitSpecialisation() throws InterruptedException {
        return null;
    }
}
