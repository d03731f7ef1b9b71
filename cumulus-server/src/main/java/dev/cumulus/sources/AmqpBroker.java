package dev.cumulus.sources;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cumulus.invoke.Invoker;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * AMQP 0-9-1 (RabbitMQ) through amqp-client: a consumer with manual acks on an existing queue,
 * at most {@code capacity} unacknowledged messages (prefetch). The library's automatic recovery
 * is off: the mapping's state machine reconnects, and RabbitMQ requeues whatever the broken
 * channel had not acknowledged.
 */
final class AmqpBroker implements Broker {
    private final SourceMapping mapping;

    AmqpBroker(SourceMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public BrokerSession connect(int capacity) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(mapping.url());
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(5_000);
        factory.setHandshakeTimeout(5_000);
        factory.setRequestedHeartbeat(10);
        Connection connection = factory.newConnection("cumulus-source-" + mapping.name());
        try {
            Channel channel = connection.createChannel();
            channel.basicQos(Math.min(capacity, 65_535));
            // the queue must exist: a mapping consumes topology, it does not make it
            channel.queueDeclarePassive(mapping.queue());
            Session session = new Session(connection, channel);
            channel.basicConsume(mapping.queue(), false, "cumulus-source-" + mapping.name(), session::deliver,
                    tag -> session.cancelled());
            return session;
        } catch (Exception | Error e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(2_000);
        } catch (IOException | RuntimeException ignored) {
            // already broken
        }
    }

    private final class Session implements BrokerSession {
        private final Connection connection;
        private final Channel channel;
        private final LinkedBlockingQueue<Delivery> inbox = new LinkedBlockingQueue<>();
        private final AtomicReference<String> cancelled = new AtomicReference<>();

        Session(Connection connection, Channel channel) {
            this.connection = connection;
            this.channel = channel;
        }

        @Override
        public OptionalLong backlog() {
            try {
                // ready messages only: the ones delivered to us and not yet acked are in flight
                synchronized (channel) {
                    return OptionalLong.of(channel.messageCount(mapping.queue()));
                }
            } catch (IOException | RuntimeException e) {
                return OptionalLong.empty();
            }
        }

        void deliver(String consumerTag, com.rabbitmq.client.Delivery message) {
            AMQP.BasicProperties props = message.getProperties();
            var envelope = message.getEnvelope();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("queue", mapping.queue());
            attributes.put("exchange", envelope.getExchange());
            attributes.put("routingKey", envelope.getRoutingKey());
            attributes.put("redelivered", Boolean.toString(envelope.isRedeliver()));
            attributes.put("ApproximateReceiveCount", envelope.isRedeliver() ? "2" : "1");
            if (props.getTimestamp() != null) {
                attributes.put("SentTimestamp", Long.toString(props.getTimestamp().getTime()));
            }
            if (props.getContentType() != null) {
                attributes.put("contentType", props.getContentType());
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (props.getHeaders() != null) {
                props.getHeaders().forEach((key, value) -> headers.put(key, String.valueOf(value)));
            }
            String id = props.getMessageId() != null ? props.getMessageId() : Invoker.newRequestId();
            inbox.add(new Delivery(id, mapping.queue(), message.getBody(), attributes, headers,
                    System.currentTimeMillis(), envelope.getDeliveryTag()));
        }

        void cancelled() {
            cancelled.set("RabbitMQ cancelled the consumer (was queue '" + mapping.queue() + "' deleted?)");
        }

        @Override
        public Delivery next(Duration timeout) throws InterruptedException {
            checkOpen();
            Delivery delivery = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (delivery == null) {
                checkOpen();
            }
            return delivery;
        }

        private void checkOpen() {
            if (cancelled.get() != null) {
                throw new ConnectionLostException(cancelled.get(), null);
            }
            if (!channel.isOpen()) {
                ShutdownSignalException reason = channel.getCloseReason();
                throw new ConnectionLostException("the AMQP connection was lost"
                        + (reason != null ? ": " + SourceErrors.describe(reason) : ""), reason);
            }
        }

        @Override
        public void checkAlive() {
            checkOpen();
        }

        @Override
        public void ack(Delivery delivery) {
            checkOpen();
            try {
                // acks from several workers: one at a time on the channel
                synchronized (channel) {
                    channel.basicAck((Long) delivery.handle(), false);
                }
            } catch (IOException | RuntimeException e) {
                throw new ConnectionLostException("the ack did not reach RabbitMQ: " + SourceErrors.describe(e), e);
            }
        }

        @Override
        public void close() {
            inbox.clear();
            closeQuietly(connection);
        }
    }
}
