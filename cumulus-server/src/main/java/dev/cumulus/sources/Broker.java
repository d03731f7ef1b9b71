package dev.cumulus.sources;

/** Opens sessions for one mapping; one implementation per {@link SourceType}. */
interface Broker {

    /**
     * Connects and subscribes, blocking until both are done.
     *
     * @param capacity how many unacknowledged messages the broker may hand over at once
     * @throws Exception when the broker cannot be reached or refuses; the loop retries with backoff
     */
    BrokerSession connect(int capacity) throws Exception;

    static Broker of(SourceMapping mapping) {
        return switch (mapping.type()) {
            case MQTT -> new MqttBroker(mapping);
            case NATS -> new NatsBroker(mapping);
            case AMQP -> new AmqpBroker(mapping);
        };
    }
}
