package dev.cumulus.runtimeapi;

/** What became of a result or error a runtime posted for a request id. */
public enum Delivery {
    /** Taken as the invocation's answer: 202. */
    ACCEPTED,
    /** No such invocation was ever handed to this instance: 400 InvalidRequestID. */
    UNKNOWN_ID,
    /** The invocation already has its answer: 403 InvalidStateTransition, as Lambda answers. */
    ALREADY_ANSWERED
}
