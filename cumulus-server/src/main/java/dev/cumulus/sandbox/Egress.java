package dev.cumulus.sandbox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where an instance may open network connections (issue 11, ADR 0038): nowhere (the default),
 * only to listed destinations, or anywhere outside the node. Enforced by the kernel, in the
 * instance's own network namespace with the node's nftables rules in front of it, never by trusting
 * the function.
 *
 * @param mode what the instance may reach
 * @param allowed with {@link Mode#ALLOW}, the destinations it may reach; empty otherwise
 */
public record Egress(Mode mode, List<Destination> allowed) {

    public enum Mode {
        /** no network at all, only the sandbox's own loopback (the default) */
        NONE,
        /** TCP and UDP to the listed destinations only; names resolve only to what is listed */
        ALLOW,
        /** anything outside the node: the internet, but never the node's host or other instances */
        FULL
    }

    /** Most destinations one function may list. */
    public static final int MAX_DESTINATIONS = 64;
    public static final Egress NONE = new Egress(Mode.NONE, List.of());
    public static final Egress FULL = new Egress(Mode.FULL, List.of());

    private static final Pattern HOST_NAME =
            Pattern.compile("(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public Egress {
        allowed = List.copyOf(allowed);
        if ((mode == Mode.ALLOW) == allowed.isEmpty()) {
            throw new IllegalArgumentException("an allow-list needs destinations, and only an allow-list has them");
        }
    }

    /**
     * One allowed destination: a host name, an IPv4 address or an IPv4 CIDR block, and a port.
     *
     * @param host a host name or an IPv4 address, or null when {@code cidr} is given
     * @param cidr an IPv4 block such as {@code 10.1.0.0/16}, or null
     */
    public record Destination(String host, String cidr, int port) {
        @Override
        public String toString() {
            return (host != null ? host : cidr) + ":" + port;
        }

        /** Whether it names a host to resolve rather than addresses. */
        public boolean needsResolving() {
            return host != null && !IPV4.matcher(host).matches();
        }
    }

    /**
     * Parses an allow-list entry: {@code host:port}, {@code 192.0.2.7:5432} or
     * {@code 10.1.0.0/16:443}.
     *
     * @throws IllegalArgumentException with a message for the user when it is not one
     */
    public static Destination destination(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port, address:port or cidr:port");
        }
        String where = text.substring(0, colon).toLowerCase(Locale.ROOT);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': the port must be 1 to 65535");
        }
        int slash = where.indexOf('/');
        if (slash >= 0) {
            String address = where.substring(0, slash);
            int bits;
            try {
                bits = Integer.parseInt(where.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (!isIpv4(address) || bits < 0 || bits > 32) {
                throw new IllegalArgumentException("'" + text + "': a block is an IPv4 address and a prefix length of 0 to 32"
                        + " (IPv6 destinations are not supported yet)");
            }
            return new Destination(null, canonicalBlock(address, bits), port);
        }
        if (where.indexOf(':') >= 0 || where.startsWith("[")) {
            throw new IllegalArgumentException("'" + text + "': IPv6 destinations are not supported yet");
        }
        if (IPV4.matcher(where).matches() ? !isIpv4(where) : !HOST_NAME.matcher(where).matches()) {
            throw new IllegalArgumentException("'" + text + "': '" + where + "' is neither a host name nor an IPv4 address");
        }
        return new Destination(where, null, port);
    }

    /** An allow-list of {@code entries} (see {@link #destination}); duplicates collapse. */
    public static Egress allow(List<String> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an allow-list needs at least one destination (or use \"none\")");
        }
        if (entries.size() > MAX_DESTINATIONS) {
            throw new IllegalArgumentException("at most " + MAX_DESTINATIONS + " destinations may be allowed");
        }
        List<Destination> parsed = new ArrayList<>();
        for (String entry : entries) {
            Destination d = destination(entry);
            if (!parsed.contains(d)) {
                parsed.add(d);
            }
        }
        return new Egress(Mode.ALLOW, parsed);
    }

    private static boolean isIpv4(String text) {
        if (!IPV4.matcher(text).matches()) {
            return false;
        }
        for (String part : text.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code 10.1.2.3/16} as the block it means, {@code 10.1.0.0/16}. */
    private static String canonicalBlock(String address, int bits) {
        try {
            byte[] b = InetAddress.getByName(address).getAddress();
            int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            int masked = bits == 0 ? 0 : value & (-1 << (32 - bits));
            return ((masked >>> 24) & 0xff) + "." + ((masked >>> 16) & 0xff) + "." + ((masked >>> 8) & 0xff) + "."
                    + (masked & 0xff) + "/" + bits;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv4 address: " + address, e);
        }
    }
}
