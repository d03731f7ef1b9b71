package dev.cumulus.function;

/**
 * A function that turns one event into one result.
 *
 * <p>The runtime maps the event from JSON to {@code I} and the result from {@code O} back to JSON.
 * Supported types are records, POJOs with a no-argument constructor and setters or public fields,
 * {@code Map}, {@code List}, {@code String}, boxed primitives and arrays of these.
 *
 * @param <I> the event type
 * @param <O> the result type
 */
@FunctionalInterface
public interface RequestHandler<I, O> {
    O handleRequest(I input, Context context);
}
