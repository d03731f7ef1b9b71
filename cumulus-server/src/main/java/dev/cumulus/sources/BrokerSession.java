package dev.cumulus.sources;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * One live connection to a broker with the mapping's subscription on it. Only the consume loop
 * calls {@link #next}; workers call {@link #ack} from other threads.
 */
interface BrokerSession extends AutoCloseable {

    /**
     * The next message, or null if none came within {@code timeout}.
     *
     * @throws ConnectionLostException once the connection is gone
     */
    Delivery next(Duration timeout) throws InterruptedException;

    /**
     * Tells the broker the message is done with.
     *
     * @throws ConnectionLostException if the connection is gone; the broker redelivers it
     */
    void ack(Delivery delivery);

    /**
     * Checks the connection without taking a message, for when the loop has no room for one.
     *
     * @throws ConnectionLostException once the connection is gone
     */
    void checkAlive();

    /**
     * Messages waiting at the broker that this mapping has not received yet (the mapping's lag),
     * or empty where the broker does not say (MQTT). Called from API threads, not the loop.
     */
    default OptionalLong backlog() {
        return OptionalLong.empty();
    }

    /** The message will not be acknowledged on this session; the broker redelivers it later. */
    default void release(Delivery delivery) {}

    /** Closes the connection; messages not acknowledged go back to the broker. */
    @Override
    void close();

    /** The connection broke; the loop reconnects. */
    final class ConnectionLostException extends RuntimeException {
        ConnectionLostException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
