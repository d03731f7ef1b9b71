package dev.cumulus.runtimeapi;

/** The platform side of one instance's Runtime API: where its calls land. */
public interface RuntimeChannel {

    /**
     * Blocks until there is an invocation for the instance. The first call also tells the
     * platform that the runtime finished its init. Null once the instance is being stopped.
     */
    PendingInvocation next() throws InterruptedException;

    /**
     * An {@code invocation/next} long poll waiting for its invocation; answered once, by whichever
     * thread has the invocation.
     */
    interface Poll {
        /**
         * Writes {@code invocation} (null: the instance is being stopped, 410) as the poll's answer.
         *
         * @return false when the poll could not carry the invocation whole (its connection failed
         *     while it waited): no runtime has it, and it goes to another poll
         */
        boolean answer(PendingInvocation invocation);
    }

    /**
     * The asynchronous form of {@link #next()}: answers {@code poll} at once when an invocation is
     * waiting, else keeps it, and the thread that brings the next invocation writes it into the
     * poll itself, so an event goes from the caller's thread onto the instance's socket with no
     * thread of the Runtime API woken in between (issue 12). The default waits in {@link #next()}.
     */
    default void poll(Poll poll) throws InterruptedException {
        poll.answer(next());
    }

    /** A kept poll whose connection failed: drop it (it may have been answered meanwhile). */
    default void abandon(Poll poll) {
        // the blocking default keeps no polls
    }

    /** The function's result for {@code requestId}. */
    Delivery respond(String requestId, byte[] payload);

    /** The function failed; {@code errorJson} is what the runtime posted (Lambda's error document). */
    Delivery error(String requestId, String errorType, byte[] errorJson);

    /**
     * One line of the instance's output that came over the frame transport rather than the pipe
     * (docs/adr/0054): a tagged line, without its line break, already cut to the pipe's line limit.
     * The default drops it: only an instance's channel has a log to file it in.
     */
    default void output(String line) {
        // nothing to file it under
    }

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

    /** The session credentials minted for this instance (ADR 0039), while it lives; null if none. */
    default dev.cumulus.auth.SessionCredentials session() {
        return null;
    }

    /** The ids of the invocations this instance is running now. */
    default java.util.Set<String> runningRequestIds() {
        return java.util.Set.of();
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
