package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 part 7 on a real node: a function's network policy holds in the kernel. The test
 * makes a "remote host" of its own, a network namespace joined to this host by a veth pair, with
 * TCP servers on two ports; and a server on this host itself, standing for the node's own ports.
 */
@Timeout(180)
class EgressTest {
    private static final int ALLOWED_PORT = 7000;
    private static final int OTHER_PORT = 7001;

    @TempDir
    static Path dataDir;

    static TestNode node;
    static String namespace;
    static String hostLink;
    static String remote;
    static String hostSide;
    static final List<Process> servers = new ArrayList<>();
    static ServerSocket onTheHost;

    @BeforeAll
    static void start() throws Exception {
        String suffix = HexFormat.of().formatHex(new byte[] {(byte) ThreadLocalRandom.current().nextInt(),
                (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt()});
        namespace = "cutest-" + suffix;
        hostLink = "ct" + suffix + "h";
        int net = ThreadLocalRandom.current().nextInt(256);
        hostSide = "10.204." + net + ".1";
        remote = "10.204." + net + ".2";
        run("ip", "netns", "add", namespace);
        run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "ct" + suffix + "s", "netns", namespace);
        run("ip", "addr", "add", hostSide + "/30", "dev", hostLink);
        run("ip", "link", "set", hostLink, "up");
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "-n", namespace, "addr", "add", remote + "/30", "dev", "ct" + suffix + "s");
        run("ip", "-n", namespace, "link", "set", "ct" + suffix + "s", "up");
        run("ip", "-n", namespace, "route", "add", "default", "via", hostSide);
        for (int port : List.of(ALLOWED_PORT, OTHER_PORT)) {
            servers.add(new ProcessBuilder("ip", "netns", "exec", namespace, "socat",
                    "TCP-LISTEN:" + port + ",reuseaddr,fork", "SYSTEM:echo served-" + port)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(remote, port), 500);
                    return true;
                }
            });
        }
        onTheHost = new ServerSocket();
        onTheHost.bind(new InetSocketAddress("0.0.0.0", 0));
        node = new TestNode(dataDir, c -> c);
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        servers.forEach(Process::destroyForcibly);
        if (onTheHost != null) {
            onTheHost.close();
        }
        runQuietly("ip", "netns", "delete", namespace);
        runQuietly("ip", "link", "delete", hostLink);
    }

    @Test
    void withoutANetworkPolicyAFunctionReachesNothing() {
        node.deploy("egress-none", "dev.cumulus.testfn.Snoop", Map.of());

        assertThat(connect("egress-none", remote + ":" + ALLOWED_PORT)).isFalse();
        assertThat(connect("egress-none", "127.0.0.1:" + node.url("/").getPort())).isFalse();
        assertThat(connect("egress-none", hostSide + ":" + onTheHost.getLocalPort())).isFalse();
    }

    @Test
    void anAllowListOpensExactlyTheListedDestination() {
        JsonNode deployed = node.deploy("egress-allow", "dev.cumulus.testfn.Snoop",
                Map.of("network", Map.of("allow", List.of(remote + ":" + ALLOWED_PORT))));
        assertThat(deployed.path("network").path("allow").get(0).asText()).isEqualTo(remote + ":" + ALLOWED_PORT);

        assertThat(connect("egress-allow", remote + ":" + ALLOWED_PORT)).isTrue();
        assertThat(connect("egress-allow", remote + ":" + OTHER_PORT)).isFalse();
        // the host itself, the node's loopback and other hosts' names stay out of reach
        assertThat(connect("egress-allow", hostSide + ":" + onTheHost.getLocalPort())).isFalse();
        assertThat(connect("egress-allow", "127.0.0.1:" + node.url("/").getPort())).isFalse();
        assertThat(snoop("egress-allow", Map.of("connect", "localhost.invalid:" + ALLOWED_PORT)).path("error").asText())
                .contains("UnknownHost");
    }

    @Test
    void fullEgressReachesOtherHostsButNeverTheNodesHost() {
        node.deploy("egress-full", "dev.cumulus.testfn.Snoop", Map.of("network", "full"));

        assertThat(connect("egress-full", remote + ":" + ALLOWED_PORT)).isTrue();
        assertThat(connect("egress-full", remote + ":" + OTHER_PORT)).isTrue();
        assertThat(connect("egress-full", hostSide + ":" + onTheHost.getLocalPort())).isFalse();
        assertThat(connect("egress-full", "127.0.0.1:" + node.url("/").getPort())).isFalse();
    }

    @Test
    void anInstancesNamespaceGoesWithIt() throws IOException {
        List<String> before = ownNamespaces();
        node.deploy("egress-gone", "dev.cumulus.testfn.Snoop", Map.of("network", "full"));
        assertThat(connect("egress-gone", remote + ":" + ALLOWED_PORT)).isTrue();
        List<String> made = new ArrayList<>(ownNamespaces());
        made.removeAll(before);
        assertThat(made).hasSize(1);

        assertThat(node.send("DELETE", "/v1/functions/egress-gone", null).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ownNamespaces()).doesNotContain(made.get(0)));
    }

    @Test
    void badPoliciesAreRefusedWithTheFieldNamed() {
        String code = node.testFunctionsCode();
        for (Object bad : List.of("some", Map.of("allow", List.of()), Map.of("allow", List.of("host")),
                Map.of("allow", List.of("[::1]:80")), Map.of("allow", List.of("10.0.0.0/33:80")),
                Map.of("allow", List.of("example.com:0")), Map.of("deny", List.of("a:1")))) {
            var response = node.send("PUT", "/v1/functions/egress-bad", TestNode.write(Map.of(
                    "handler", "dev.cumulus.testfn.Snoop", "codeSha256", code, "network", bad)));
            assertThat(response.statusCode()).as("%s", bad).isEqualTo(400);
            assertThat(response.body()).as("%s", bad).contains("network");
        }
    }

    /** Whether {@code function} could open a TCP connection to {@code target}. */
    private static boolean connect(String function, String target) {
        JsonNode answer = snoop(function, Map.of("connect", target));
        return answer.path("connected").asBoolean(false);
    }

    private static JsonNode snoop(String function, Map<String, Object> event) {
        var response = node.invoke(function, event);
        assertThat(response.statusCode()).isEqualTo(200);
        return TestNode.json(response);
    }

    private static List<String> ownNamespaces() throws IOException {
        Path dir = Path.of("/run/netns");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("cumulus-")).toList();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    private static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IOException | InterruptedException e) {
            // best effort at cleanup
        }
    }
}
