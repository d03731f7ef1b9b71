package dev.cumulus.sources;

import io.nats.client.Connection;
import io.nats.client.ConsumeOptions;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NATS JetStream through jnats: a durable pull consumer named after the mapping, explicit acks.
 *
 * <p>Every connect restarts the consumer from its ack floor (the first stream sequence not yet
 * acknowledged): it is deleted and created again with that start sequence. Messages the server
 * had sent when a connection broke, some of them still on the wire and never seen, would
 * otherwise stay pending until their ack wait passed while newer ones flowed past them, which
 * breaks per-subject order and stalls for the ack wait. Restarting from the floor delivers them
 * first again; what was acknowledged above the floor comes again too (duplicates, never gaps).
 * The library's own reconnect is off: the mapping's state machine reconnects. While a message
 * waits in a batch or its retries, a heartbeat marks it in progress so the server does not hand
 * it out again.
 */
final class NatsBroker implements Broker {
    static final Duration ACK_WAIT = Duration.ofSeconds(15);
    /** Durable consumers of deleted mappings go away on their own after this long unused. */
    static final Duration INACTIVE_THRESHOLD = Duration.ofDays(7);

    private final SourceMapping mapping;

    NatsBroker(SourceMapping mapping) {
        this.mapping = mapping;
    }

    static String durableName(String mappingName) {
        return "cumulus-source-" + mappingName;
    }

    @Override
    public BrokerSession connect(int capacity) throws Exception {
        Options options = new Options.Builder()
                .server(mapping.url())
                .connectionName("cumulus-source-" + mapping.name())
                .connectionTimeout(Duration.ofSeconds(5))
                .noReconnect()
                .build();
        Connection connection = Nats.connect(options);
        try {
            JetStreamManagement jsm = connection.jetStreamManagement();
            String stream = mapping.stream() != null ? mapping.stream() : streamFor(jsm, mapping.subject());
            String durable = durableName(mapping.name());
            ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                    .durable(durable)
                    .ackPolicy(AckPolicy.Explicit)
                    .deliverPolicy(DeliverPolicy.ByStartSequence)
                    .startSequence(restartFromAckFloor(jsm, stream, durable))
                    .ackWait(ACK_WAIT)
                    .maxAckPending(capacity)
                    .inactiveThreshold(INACTIVE_THRESHOLD);
            if (mapping.subject() != null) {
                config.filterSubject(mapping.subject());
            }
            jsm.addOrUpdateConsumer(stream, config.build());
            ConsumerContext consumer = connection.getConsumerContext(stream, durable);
            IterableConsumer messages = consumer.iterate(ConsumeOptions.builder().batchSize(capacity).build());
            return new Session(connection, consumer, messages);
        } catch (Exception | Error e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Deletes the mapping's consumer, if any, and answers the stream sequence it must start at to
     * redeliver everything not yet acknowledged (1 for a new mapping: the whole stream).
     */
    private static long restartFromAckFloor(JetStreamManagement jsm, String stream, String durable) throws Exception {
        try {
            long floor = jsm.getConsumerInfo(stream, durable).getAckFloor().getStreamSequence();
            jsm.deleteConsumer(stream, durable);
            return floor + 1;
        } catch (io.nats.client.JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                return 1;
            }
            throw e;
        }
    }

    private static String streamFor(JetStreamManagement jsm, String subject) throws Exception {
        List<String> streams = jsm.getStreamNames(subject);
        if (streams.size() != 1) {
            throw new IllegalStateException(streams.isEmpty()
                    ? "no JetStream stream captures subject '" + subject + "'"
                    : "several JetStream streams capture subject '" + subject + "': " + streams + "; set 'stream'");
        }
        return streams.getFirst();
    }

    private static final class Session implements BrokerSession {
        private final Connection connection;
        private final ConsumerContext consumer;
        private final IterableConsumer messages;
        private final Set<Message> held = ConcurrentHashMap.newKeySet();
        private final Thread heartbeat;

        Session(Connection connection, ConsumerContext consumer, IterableConsumer messages) {
            this.connection = connection;
            this.consumer = consumer;
            this.messages = messages;
            this.heartbeat = Thread.ofVirtual().name("nats-heartbeat-" + connection.getOptions().getConnectionName())
                    .start(this::beat);
        }

        @Override
        public OptionalLong backlog() {
            try {
                return OptionalLong.of(consumer.getConsumerInfo().getNumPending());
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }

        private void beat() {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(ACK_WAIT.dividedBy(3));
                    if (connection.getStatus() != Connection.Status.CONNECTED) {
                        continue;
                    }
                    for (Message message : held) {
                        message.inProgress();
                    }
                }
            } catch (InterruptedException e) {
                // the session closed
            } catch (RuntimeException e) {
                // the connection broke between the check and the ack: next() reports it
            }
        }

        @Override
        public Delivery next(Duration timeout) throws InterruptedException {
            checkConnected();
            Message message;
            try {
                message = messages.nextMessage(timeout);
            } catch (io.nats.client.JetStreamStatusCheckedException e) {
                throw new ConnectionLostException("the JetStream consumer failed: " + SourceErrors.describe(e), e);
            }
            if (message == null) {
                checkConnected();
                return null;
            }
            NatsJetStreamMetaData meta = message.metaData();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("subject", message.getSubject());
            attributes.put("stream", meta.getStream());
            attributes.put("streamSequence", Long.toString(meta.streamSequence()));
            attributes.put("ApproximateReceiveCount", Long.toString(meta.deliveredCount()));
            attributes.put("SentTimestamp", Long.toString(meta.timestamp().toInstant().toEpochMilli()));
            Map<String, String> headers = new LinkedHashMap<>();
            if (message.getHeaders() != null) {
                message.getHeaders().forEach((key, values) -> {
                    if (!values.isEmpty()) headers.put(key, values.getFirst());
                });
            }
            held.add(message);
            return new Delivery(meta.getStream() + ":" + meta.streamSequence(), message.getSubject(),
                    message.getData() == null ? new byte[0] : message.getData(), attributes, headers,
                    System.currentTimeMillis(), message);
        }

        private void checkConnected() {
            Connection.Status status = connection.getStatus();
            if (status != Connection.Status.CONNECTED) {
                throw new ConnectionLostException("the NATS connection was lost (" + status.name().toLowerCase() + ")",
                        null);
            }
        }

        @Override
        public void checkAlive() {
            checkConnected();
        }

        @Override
        public void ack(Delivery delivery) {
            Message message = (Message) delivery.handle();
            held.remove(message);
            checkConnected();
            try {
                message.ack();
            } catch (RuntimeException e) {
                throw new ConnectionLostException("the ack did not reach NATS: " + SourceErrors.describe(e), e);
            }
        }

        @Override
        public void release(Delivery delivery) {
            held.remove((Message) delivery.handle());
        }

        @Override
        public void close() {
            heartbeat.interrupt();
            held.clear();
            try {
                messages.stop();
            } catch (RuntimeException ignored) {
                // the connection is already broken
            }
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
