package dev.cumulus.sandbox;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network namespaces for instances that may reach something (issue 11, ADR 0038). An instance
 * with {@link Egress.Mode#NONE} gets bwrap's empty namespace as before; any other gets a namespace
 * of its own, made here, joined to the host by a veth pair whose host end the node fences with an
 * nftables table of its own:
 * <ul>
 *   <li>nothing from the instance reaches the host itself (the node's ports, loopback or not) or
 *       another instance's subnet;</li>
 *   <li>with an allow-list, only the listed address:port pairs are forwarded; a listed name is
 *       resolved by the node at launch and given to the instance in its /etc/hosts, and the
 *       instance has no resolver, so DNS reaches nothing else;</li>
 *   <li>nothing from outside may open a connection into the instance;</li>
 *   <li>outgoing traffic is masqueraded behind the host.</li>
 * </ul>
 * It needs root (CAP_NET_ADMIN), {@code ip}, {@code nft} and IPv4 forwarding; {@link #problem()}
 * says exactly which is missing, and a function asking for egress on a node without them is
 * refused, never run with less isolation or more network than it asked for.
 */
public final class EgressNetworks {
    private static final Logger LOG = LoggerFactory.getLogger(EgressNetworks.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The /16 instance links come from: a /30 each. */
    static final String SUBNET_PREFIX = "10.203.";
    private static final int BLOCKS = 65536 / 4;
    /** Blocks in use by this JVM's nodes; other processes' are seen on the host's interfaces. */
    private static final BitSet TAKEN = new BitSet(BLOCKS);
    private static final String NAMESPACE_PREFIX = "cumulus-";

    private final Path ip;
    private final Path nft;
    private final String problem;

    private EgressNetworks(Path ip, Path nft, String problem) {
        this.ip = ip;
        this.nft = nft;
        this.problem = problem;
    }

    /** Looks at what this host offers; never fails, see {@link #problem()}. */
    public static EgressNetworks probe() {
        Optional<Path> ip = Executables.find("ip");
        Optional<Path> nft = Executables.find("nft");
        String problem = null;
        if (!isRoot()) {
            problem = "the node does not run as root, which network namespaces and nftables need";
        } else if (ip.isEmpty()) {
            problem = "'ip' not found on PATH (install the iproute2 package)";
        } else if (nft.isEmpty()) {
            problem = "'nft' not found on PATH (install the nftables package)";
        } else if (!forwarding()) {
            problem = "IPv4 forwarding is off (run: sysctl -w net.ipv4.ip_forward=1)";
        }
        return new EgressNetworks(ip.orElse(null), nft.orElse(null), problem);
    }

    /** Why instances cannot be given network access here, or null when they can. */
    public String problem() {
        return problem;
    }

    /** One instance's namespace, link and rules; {@link #close} takes all three away. */
    public final class Lease implements AutoCloseable {
        private final String namespace;
        private final String hostLink;
        private final String table;
        private final int block;
        private final String hostsFile;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(String namespace, String hostLink, String table, int block, String hostsFile) {
            this.namespace = namespace;
            this.hostLink = hostLink;
            this.table = table;
            this.block = block;
            this.hostsFile = hostsFile;
        }

        /** The namespace's name, for {@code ip netns exec}. */
        public String namespace() {
            return namespace;
        }

        /** The instance's /etc/hosts: the sandbox's usual lines and every allowed name. */
        String hostsFile() {
            return hostsFile;
        }

        /** The command prefix that runs a program inside the namespace. */
        List<String> enter() {
            return List.of(ip.toString(), "netns", "exec", namespace);
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            // deleting the namespace takes the veth pair with it once its last process is gone
            quietly(List.of(nft.toString(), "delete", "table", "inet", table));
            quietly(List.of(ip.toString(), "netns", "delete", namespace));
            quietly(List.of(ip.toString(), "link", "delete", hostLink));
            release(block);
        }
    }

    /**
     * Makes the namespace, link and rules for an instance that may reach {@code egress}.
     *
     * @throws IOException when the host cannot, or a command fails (nothing is left behind)
     */
    public Lease open(Egress egress, String baseHosts) throws IOException {
        if (problem != null) {
            throw new IOException("instances cannot be given network access on this node: " + problem);
        }
        if (egress.mode() == Egress.Mode.NONE) {
            throw new IllegalArgumentException("an instance without egress needs no namespace of its own");
        }
        String suffix = HexFormat.of().formatHex(randomBytes(4));
        String namespace = NAMESPACE_PREFIX + suffix;
        String hostLink = "cu" + suffix + "h";
        String instanceLink = "cu" + suffix + "s";
        String table = "cumulus_" + suffix;
        int block = reserveBlock();
        String net = address(block, 0);
        String hostAddress = address(block, 1);
        String instanceAddress = address(block, 2);
        Map<String, List<Inet4Address>> names = resolve(egress);
        Lease lease = new Lease(namespace, hostLink, table, block, hostsFile(baseHosts, names));
        boolean done = false;
        try {
            run(List.of(ip.toString(), "netns", "add", namespace));
            run(List.of(ip.toString(), "link", "add", hostLink, "type", "veth", "peer", "name", instanceLink,
                    "netns", namespace));
            run(List.of(ip.toString(), "addr", "add", hostAddress + "/30", "dev", hostLink));
            run(List.of(ip.toString(), "link", "set", hostLink, "up"));
            String[] inside = {
                "link set lo up",
                "addr add " + instanceAddress + "/30 dev " + instanceLink,
                "link set " + instanceLink + " up",
                "route add default via " + hostAddress};
            run(List.of(ip.toString(), "-n", namespace, "-batch", "-"), String.join("\n", inside) + "\n");
            run(List.of(nft.toString(), "-f", "-"), rules(table, hostLink, net, egress, names));
            done = true;
            return lease;
        } finally {
            if (!done) {
                lease.close();
            }
        }
    }

    /** The nftables table of one instance; see the class comment for what each rule is for. */
    static String rules(String table, String hostLink, String net, Egress egress, Map<String, List<Inet4Address>> names) {
        StringBuilder allow = new StringBuilder();
        if (egress.mode() == Egress.Mode.FULL) {
            allow.append("    iifname \"").append(hostLink).append("\" accept\n");
        } else {
            for (Egress.Destination d : egress.allowed()) {
                List<String> targets = new ArrayList<>();
                if (d.cidr() != null) {
                    targets.add(d.cidr());
                } else if (d.needsResolving()) {
                    names.getOrDefault(d.host(), List.of()).forEach(a -> targets.add(a.getHostAddress()));
                } else {
                    targets.add(d.host());
                }
                for (String target : targets) {
                    for (String protocol : List.of("tcp", "udp")) {
                        allow.append("    iifname \"").append(hostLink).append("\" ip daddr ").append(target)
                                .append(' ').append(protocol).append(" dport ").append(d.port()).append(" accept\n");
                    }
                }
            }
        }
        return "table inet " + table + " {\n"
                + "  chain forward_filter {\n"
                + "    type filter hook forward priority -10; policy accept;\n"
                + "    iifname \"" + hostLink + "\" ip daddr " + SUBNET_PREFIX + "0.0/16 drop\n"
                + "    iifname \"" + hostLink + "\" meta nfproto ipv6 drop\n"
                + allow
                + "    iifname \"" + hostLink + "\" drop\n"
                + "    oifname \"" + hostLink + "\" ct state established,related accept\n"
                + "    oifname \"" + hostLink + "\" drop\n"
                + "  }\n"
                + "  chain input_filter {\n"
                + "    type filter hook input priority -10; policy accept;\n"
                + "    iifname \"" + hostLink + "\" drop\n"
                + "  }\n"
                + "  chain outbound_nat {\n"
                + "    type nat hook postrouting priority 100; policy accept;\n"
                + "    ip saddr " + net + "/30 oifname != \"" + hostLink + "\" masquerade\n"
                + "  }\n"
                + "}\n";
    }

    /**
     * Deletes namespaces and tables a node that died without cleaning up left behind: those whose
     * namespace no longer holds a process. Called when a node starts.
     */
    public void removeAbandoned() {
        if (problem != null) {
            return;
        }
        Path netnsDir = Path.of("/run/netns");
        if (!Files.isDirectory(netnsDir)) {
            return;
        }
        try (var entries = Files.list(netnsDir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(NAMESPACE_PREFIX)) {
                    continue;
                }
                String pids = output(List.of(ip.toString(), "netns", "pids", name)).strip();
                if (pids.isEmpty()) {
                    String suffix = name.substring(NAMESPACE_PREFIX.length());
                    quietly(List.of(nft.toString(), "delete", "table", "inet", "cumulus_" + suffix));
                    quietly(List.of(ip.toString(), "netns", "delete", name));
                    quietly(List.of(ip.toString(), "link", "delete", "cu" + suffix + "h"));
                    LOG.info("removed network namespace {} left behind by a node that stopped uncleanly", name);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for abandoned instance network namespaces", e);
        }
    }

    private static Map<String, List<Inet4Address>> resolve(Egress egress) {
        Map<String, List<Inet4Address>> names = new LinkedHashMap<>();
        for (Egress.Destination d : egress.allowed()) {
            if (!d.needsResolving() || names.containsKey(d.host())) {
                continue;
            }
            List<Inet4Address> addresses = new ArrayList<>();
            try {
                for (InetAddress a : InetAddress.getAllByName(d.host())) {
                    if (a instanceof Inet4Address v4) {
                        addresses.add(v4);
                    }
                }
            } catch (UnknownHostException e) {
                LOG.warn("allowed destination {} does not resolve now; the instance cannot reach it", d);
            }
            names.put(d.host(), addresses);
        }
        return names;
    }

    private static String hostsFile(String baseHosts, Map<String, List<Inet4Address>> names) {
        StringBuilder hosts = new StringBuilder(baseHosts);
        names.forEach((name, addresses) -> addresses.forEach(
                a -> hosts.append(a.getHostAddress()).append(' ').append(name).append('\n')));
        return hosts.toString();
    }

    private int reserveBlock() throws IOException {
        synchronized (TAKEN) {
            for (int attempt = 0; attempt < 64; attempt++) {
                int block = RANDOM.nextInt(BLOCKS);
                if (TAKEN.get(block)) {
                    continue;
                }
                // another node on this host may hold it: its host end would carry an address in it
                if (!output(List.of(ip.toString(), "-o", "-4", "addr", "show", "to", address(block, 0) + "/30")).isBlank()) {
                    continue;
                }
                TAKEN.set(block);
                return block;
            }
        }
        throw new IOException("no free link subnet in " + SUBNET_PREFIX + "0.0/16 for another instance");
    }

    private static void release(int block) {
        synchronized (TAKEN) {
            TAKEN.clear(block);
        }
    }

    static String address(int block, int host) {
        int value = block * 4 + host;
        return SUBNET_PREFIX + (value >>> 8) + "." + (value & 0xff);
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void run(List<String> command) throws IOException {
        run(command, null);
    }

    private static void run(List<String> command, String input) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            p.getOutputStream().close();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = waitFor(p);
        if (code != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + code + "): " + out);
        }
    }

    private static String output(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return waitFor(p) == 0 ? out : "";
    }

    private static void quietly(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.getOutputStream().close();
            waitFor(p);
        } catch (IOException e) {
            LOG.debug("{} failed", command, e);
        }
    }

    private static int waitFor(Process p) throws IOException {
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + p.info().commandLine().orElse("a network command"));
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while setting up an instance network", e);
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // the effective uid
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static boolean forwarding() {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).strip().equals("1");
        } catch (IOException e) {
            return false;
        }
    }
}
