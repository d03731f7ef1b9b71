package dev.cumulus.iam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * One test of a statement's {@code Condition} block: a statement applies only when all of its
 * conditions hold. A condition whose fact is unknown (no source address, no time) does not hold,
 * for Allow and Deny alike; the guard always supplies both facts.
 */
sealed interface Condition {

    boolean holds(Guard.Facts facts);

    /** {@code IpAddress} (any range contains the source) or {@code NotIpAddress} (none does). */
    record SourceIp(boolean negated, List<Cidr> ranges) implements Condition {
        @Override
        public boolean holds(Guard.Facts facts) {
            if (facts == null || facts.source() == null) {
                return false;
            }
            boolean inside = ranges.stream().anyMatch(r -> r.contains(facts.source()));
            return negated != inside;
        }
    }

    /** {@code DateGreaterThan} (after any of the instants) or {@code DateLessThan} (before any). */
    record CurrentTime(boolean after, List<Instant> instants) implements Condition {
        @Override
        public boolean holds(Guard.Facts facts) {
            if (facts == null || facts.time() == null) {
                return false;
            }
            return instants.stream().anyMatch(i -> after ? facts.time().isAfter(i) : facts.time().isBefore(i));
        }
    }

    /** An address range, IPv4 or IPv6; an IPv4 range never contains an IPv6 address and back. */
    record Cidr(byte[] network, int prefixLength, String text) {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int bits = network.length * 8;
            BigInteger mask = prefixLength == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                            .xor(BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE));
            return new BigInteger(1, bytes).and(mask).equals(new BigInteger(1, network).and(mask));
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
