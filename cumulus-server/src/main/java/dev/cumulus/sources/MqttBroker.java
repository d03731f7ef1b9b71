package dev.cumulus.sources;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import dev.cumulus.invoke.Invoker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * MQTT 5 through the HiveMQ client: QoS 1, a persistent session under a fixed client id (clean
 * start off, a week of session expiry) so the broker keeps queueing while the node is away, and
 * manual acknowledgement so a PUBACK leaves only once the function has the message. Messages not
 * acknowledged when a connection ends are sent again by the broker when the session resumes.
 */
final class MqttBroker implements Broker {
    static final long SESSION_EXPIRY_SECONDS = Duration.ofDays(7).toSeconds();
    private static final int KEEP_ALIVE_SECONDS = 10;
    private static final int HANDSHAKE_SECONDS = 15;

    private final SourceMapping mapping;

    MqttBroker(SourceMapping mapping) {
        this.mapping = mapping;
    }

    /** Stable across restarts: the broker finds the mapping's session by it. */
    static String clientId(String mappingName) {
        return "cumulus-source-" + mappingName;
    }

    @Override
    public BrokerSession connect(int capacity) throws Exception {
        URI uri = new URI(mapping.url());
        boolean tls = "mqtts".equalsIgnoreCase(uri.getScheme());
        AtomicReference<Throwable> lost = new AtomicReference<>();
        Mqtt5ClientBuilder builder = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId(mapping.name()))
                .serverHost(uri.getHost())
                .serverPort(uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883)
                .transportConfig().socketConnectTimeout(5, TimeUnit.SECONDS)
                .mqttConnectTimeout(10, TimeUnit.SECONDS).applyTransportConfig()
                .addDisconnectedListener(context -> lost.compareAndSet(null, context.getCause()));
        if (tls) {
            builder = builder.sslWithDefaultConfig();
        }
        Mqtt5BlockingClient client = builder.buildBlocking();
        // ALL, registered before connecting: a resumed session's messages arrive before the SUBSCRIBE
        // is even sent, and would otherwise match no subscription of this client object
        Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL, true);
        try {
            // through the async API with a deadline: a broker that accepts TCP and then goes quiet
            // must not hang the loop
            var connect = client.toAsync().connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(SESSION_EXPIRY_SECONDS)
                    // no receive maximum of our own: the broker's in-flight window bounds what arrives,
                    // and Mosquitto 2.0 can overrun a small one on resume, which the client treats
                    // as a protocol error; the runner's credits bound what is taken
                    .keepAlive(KEEP_ALIVE_SECONDS);
            Urls.Credentials credentials = Urls.credentials(uri);
            if (credentials.user() != null) {
                var auth = connect.simpleAuth().username(credentials.user());
                if (credentials.password() != null) {
                    auth = auth.password(credentials.password().getBytes(StandardCharsets.UTF_8));
                }
                connect = auth.applySimpleAuth();
            }
            connect.send().get(HANDSHAKE_SECONDS, TimeUnit.SECONDS);
            client.toAsync().subscribeWith()
                    .topicFilter(mapping.topic())
                    .qos(MqttQos.AT_LEAST_ONCE)
                    // a resumed session already has the subscription: no second copy of retained messages
                    .retainHandling(Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST)
                    .send().get(HANDSHAKE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            publishes.close();
            disconnectQuietly(client);
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception | Error e) {
            publishes.close();
            disconnectQuietly(client);
            throw e;
        }
        return new Session(client, publishes, lost);
    }

    private static void disconnectQuietly(Mqtt5BlockingClient client) {
        try {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        } catch (RuntimeException ignored) {
            // closing a connection that is already broken
        }
    }

    private final class Session implements BrokerSession {
        private final Mqtt5BlockingClient client;
        private final Mqtt5BlockingClient.Mqtt5Publishes publishes;
        private final AtomicReference<Throwable> lost;

        Session(Mqtt5BlockingClient client, Mqtt5BlockingClient.Mqtt5Publishes publishes,
                AtomicReference<Throwable> lost) {
            this.client = client;
            this.publishes = publishes;
            this.lost = lost;
        }

        @Override
        public Delivery next(Duration timeout) throws InterruptedException {
            checkConnected();
            Optional<Mqtt5Publish> received = publishes.receive(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (received.isEmpty()) {
                checkConnected();
                return null;
            }
            Mqtt5Publish publish = received.get();
            String topic = publish.getTopic().toString();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("topic", topic);
            attributes.put("qos", Integer.toString(publish.getQos().getCode()));
            attributes.put("retain", Boolean.toString(publish.isRetain()));
            publish.getContentType().ifPresent(type -> attributes.put("contentType", type.toString()));
            Map<String, String> headers = new LinkedHashMap<>();
            publish.getUserProperties().asList().forEach(p -> headers.put(p.getName().toString(), p.getValue().toString()));
            return new Delivery(Invoker.newRequestId(), topic, publish.getPayloadAsBytes(), attributes, headers,
                    System.currentTimeMillis(), publish);
        }

        private void checkConnected() {
            if (lost.get() != null || !client.getState().isConnected()) {
                Throwable cause = lost.get();
                throw new ConnectionLostException("the MQTT connection was lost"
                        + (cause != null ? ": " + SourceErrors.describe(cause) : ""), cause);
            }
        }

        @Override
        public void checkAlive() {
            checkConnected();
        }

        @Override
        public void ack(Delivery delivery) {
            checkConnected();
            ((Mqtt5Publish) delivery.handle()).acknowledge();
        }

        @Override
        public void close() {
            publishes.close();
            disconnectQuietly(client);
        }
    }
}
