package dev.cumulus.sources;

import java.util.Locale;

/** The brokers a mapping can consume from. */
public enum SourceType {
    MQTT,
    NATS,
    AMQP;

    /** The {@code eventSource} of the records this type produces, e.g. {@code cumulus:mqtt}. */
    public String eventSource() {
        return "cumulus:" + wireName();
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
