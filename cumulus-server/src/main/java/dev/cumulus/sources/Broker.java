package dev.cumulus.sources;

/** Opens sessions for one mapping; one implementation per {@link SourceType}. */
interface Broker {

    /**
     * Connects and subscribes, blocking until both are done.
     *
     * @param capacity how many unacknowledged messages the broker may hand over at once
     * @param events    where a session that survives connection loss reports it
     * @throws Exception when the broker cannot be reached or refuses; the loop retries with backoff
     */
    BrokerSession connect(int capacity, LinkEvents events) throws Exception;

    /**
     * For a client library that reconnects by itself underneath a live session (jnats): it
     * reports the connection going down and coming back, so the state stays true.
     */
    interface LinkEvents {
        void down(String reason);

        void up();
    }

    static Broker of(SourceMapping mapping) {
        return switch (mapping.type()) {
            case MQTT -> new MqttBroker(mapping);
            case NATS -> new NatsBroker(mapping);
            case AMQP -> new AmqpBroker(mapping);
        };
    }
}
