package dev.cumulus.function;

/** What a function knows about the invocation it is serving. */
public interface Context {
    /** The id of this invocation, the same one the caller sees in {@code X-Cumulus-Request-Id}. */
    String requestId();

    String functionName();

    /** The version being run: {@code $LATEST} or a published version number. */
    String functionVersion();

    int memoryLimitMb();

    /** Milliseconds left before the platform ends the invocation with a timeout. */
    long remainingTimeMillis();

    /** A logger whose lines are tagged with this invocation's request id. */
    FunctionLogger logger();

    /**
     * The CloudEvent attributes of the event being served; empty for a synchronous invocation
     * that carries none.
     */
    default java.util.Optional<CloudEvent> cloudEvent() {
        return java.util.Optional.empty();
    }

    /**
     * The end user the node verified for this invocation (a route with {@code auth: user});
     * empty for every other invocation. Lambda handlers see the same user as the Cognito identity
     * of their Context and in the event's {@code requestContext.authorizer.jwt}.
     */
    default java.util.Optional<EndUser> user() {
        return java.util.Optional.empty();
    }

    /**
     * This invocation's execution token: a bearer token for the node's API (its address is in the
     * environment variable {@code CUMULUS_API_URL}) that acts with the rights of the function's
     * execution role, in its project, and expires shortly after this invocation's deadline. Send
     * it as {@code Authorization: Bearer <token>}; never log or store it. Empty when the function
     * has no role: such a function can call nothing.
     */
    default java.util.Optional<String> token() {
        return java.util.Optional.empty();
    }

    /**
     * The node's topics, to publish to as this function. Node services are reached this way,
     * one method each, so later ones (mail) sit beside it.
     *
     * @throws UnsupportedOperationException where there is no node to publish to (a Context
     *     made outside Cumulus, e.g. in a unit test)
     */
    default Topics topics() {
        throw new UnsupportedOperationException("topics are reachable only inside a Cumulus instance");
    }

    /**
     * The other functions of this function's project, to invoke with the rights of its execution
     * role.
     *
     * @throws UnsupportedOperationException where there is no node (a Context made outside Cumulus)
     */
    default Functions functions() {
        throw new UnsupportedOperationException("functions are reachable only inside a Cumulus instance");
    }

    /**
     * The node's mail outbox, to send the project's templates as this function (its role needs
     * {@code mail:SendMail}).
     *
     * @throws UnsupportedOperationException outside a Cumulus instance
     */
    default Mail mail() {
        throw new UnsupportedOperationException("mail is reachable only inside a Cumulus instance");
    }

    /**
     * The node's object storage, acting with this invocation's execution role (so only for a
     * function deployed with a role). See {@link Storage}.
     */
    default Storage storage() {
        throw new UnsupportedOperationException("storage is reachable only inside a Cumulus instance");
    }

    /**
     * The project's document database, acting with this invocation's execution role, or for an
     * end user through {@link Documents#onBehalfOf(String)}. See {@link Documents}.
     *
     * @throws UnsupportedOperationException outside a Cumulus instance
     */
    default Documents documents() {
        throw new UnsupportedOperationException("the document database is reachable only inside a Cumulus instance");
    }
}
