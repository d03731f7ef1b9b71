package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cumulus.cluster.ClusterBus;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cluster bus on the real NATS at 127.0.0.1:4222 (ADR 0041): notices between nodes, a node
 * deaf to its own, a bus that comes back after its connection is cut, and one that refuses to
 * start without the server it was told to use. In this package for {@link TcpRelay}.
 */
class ClusterBusNatsTest {
    static final String NATS = "nats://127.0.0.1:4222";

    /** A subject of this test's own, so that runs never hear each other. */
    private static String space() {
        return "cumulus.test." + UUID.randomUUID().toString().replace("-", "");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The next notice that is not the warm-up's. */
    private static String take(BlockingQueue<ClusterBus.Notice> notices) throws InterruptedException {
        while (true) {
            ClusterBus.Notice n = notices.poll(30, TimeUnit.SECONDS);
            assertThat(n).as("a notice within 30 s").isNotNull();
            if (!n.subject().endsWith(".ready")) {
                return n.subject() + " " + n.text();
            }
        }
    }

    @Test
    void aNoticeReachesTheOtherNodesSubscriptionsByWildcardAndNotItsOwn() throws Exception {
        String space = space();
        try (ClusterBus a = ClusterBus.connect(NATS, "node-a"); ClusterBus b = ClusterBus.connect(NATS, "node-b");
                Connection plain = Nats.connect(NATS)) {
            BlockingQueue<ClusterBus.Notice> atA = new LinkedBlockingQueue<>();
            BlockingQueue<ClusterBus.Notice> atB = new LinkedBlockingQueue<>();
            a.subscribe(space + ".>", atA::add);
            b.subscribe(space + ".>", atB::add);
            Subscription wire = plain.subscribe(space + ".w.>"); // not the warm-up's
            plain.flush(Duration.ofSeconds(10));
            // subscriptions reach the server with each connection's next flush: a round trip
            // through each bus proves they are in place before anything is published
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                a.publish(space + ".ready", bytes("a"));
                b.publish(space + ".ready", bytes("b"));
                assertThat(atA.stream().map(ClusterBus.Notice::text)).contains("b");
                assertThat(atB.stream().map(ClusterBus.Notice::text)).contains("a");
            });

            a.publish(space + ".w.x", bytes("from a"));
            assertThat(take(atB)).isEqualTo(space + ".w.x from a");
            // the server routed a's notice to everyone before it took the marker b sends after the
            // plain subscriber saw it, so a would have it before the marker if it heard its own
            io.nats.client.Message onWire = wire.nextMessage(Duration.ofSeconds(30));
            assertThat(onWire).isNotNull();
            assertThat(new String(onWire.getData(), StandardCharsets.UTF_8)).isEqualTo("from a");
            assertThat(onWire.getHeaders().getFirst("Cumulus-Node")).isEqualTo("node-a");
            b.publish(space + ".w.marker", bytes("from b"));
            assertThat(take(atA)).as("a's first notice is b's marker, not its own echo")
                    .isEqualTo(space + ".w.marker from b");
        }
    }

    @Test
    void aCutConnectionComesBackAndNoticesFlowAgain() throws Exception {
        String space = space();
        try (TcpRelay relay = TcpRelay.to(4222).open();
                ClusterBus cut = ClusterBus.connect("nats://127.0.0.1:" + relay.port(), "cut");
                ClusterBus other = ClusterBus.connect(NATS, "other")) {
            BlockingQueue<ClusterBus.Notice> heard = new LinkedBlockingQueue<>();
            cut.subscribe(space + ".>", heard::add);
            AtomicInteger sent = new AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                other.publish(space + ".before", bytes("n" + sent.incrementAndGet()));
                return !heard.isEmpty();
            });

            relay.sever();
            // the port may be briefly taken (a parallel test's free-port probe): open it once it is free
            await().atMost(Duration.ofSeconds(30)).ignoreException(java.io.UncheckedIOException.class)
                    .until(() -> relay.open() != null);
            heard.clear();
            // notices sent while it was away are lost to it (its look makes up for them); once it
            // is back (and subscribed again by the library) they arrive
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                other.publish(space + ".after", bytes("m" + sent.incrementAndGet()));
                return heard.stream().anyMatch(n -> n.subject().equals(space + ".after"));
            });
            // and it publishes again too
            BlockingQueue<ClusterBus.Notice> atOther = new LinkedBlockingQueue<>();
            other.subscribe(space + ".>", atOther::add);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                cut.publish(space + ".back", bytes("back"));
                return atOther.stream().anyMatch(n -> n.subject().equals(space + ".back"));
            });
        }
    }

    @Test
    void aBusThatDoesNotAnswerAtStartIsAnErrorNotANodeAlone() {
        TcpRelay closed = TcpRelay.to(4222); // a free port nobody listens on
        assertThatThrownBy(() -> ClusterBus.connect("nats://127.0.0.1:" + closed.port(), "n"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nats://127.0.0.1:" + closed.port())
                .hasMessageContaining("not reachable");
        // a login in the URL never reaches the message (nor the log, which says the same)
        assertThatThrownBy(() -> ClusterBus.connect("nats://cumulus:s3cret@127.0.0.1:" + closed.port(), "n"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nats://***@127.0.0.1:" + closed.port())
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void namesBecomeDistinctSafeSubjectTokens() {
        assertThat(ClusterBus.token("orders-2024")).isEqualTo("orders-2024");
        assertThat(ClusterBus.token("a.b")).isEqualTo("a_2eb");
        assertThat(ClusterBus.token("a_2eb")).isEqualTo("a_5f2eb");
        assertThat(ClusterBus.token(">")).isEqualTo("_3e");
        assertThat(ClusterBus.token("*")).isEqualTo("_2a");
        assertThat(ClusterBus.token("a b")).isEqualTo("a_20b");
        assertThat(ClusterBus.token("é")).isEqualTo("_c3_a9");
        assertThat(ClusterBus.token("")).isEqualTo("_");
        for (String name : List.of("a.b", "a_2eb", "é", ">", "", "x y")) {
            assertThat(ClusterBus.token(name)).matches("[A-Za-z0-9_-]+");
        }
    }

    @Test
    void aNodeAloneHasNoOneToTell() throws Exception {
        ClusterBus alone = ClusterBus.alone("solo");
        BlockingQueue<ClusterBus.Notice> heard = new LinkedBlockingQueue<>();
        try (AutoCloseable sub = alone.subscribe("cumulus.>", heard::add)) {
            alone.publish("cumulus.x", bytes("x")); // returns at once, throws nothing
        }
        assertThat(heard).isEmpty();
        assertThat(alone.nodeId()).isEqualTo("solo");
    }
}
