package dev.cumulus.edge;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Who gets a handler on the edge. Admin traffic (the REST API, the Lambda API) and public traffic
 * (function URLs, routes) draw from separate allowances, so anonymous clients can never take
 * what the operator needs to see and fix the node; a public client address gets only a share of
 * its allowance. Everything over a limit is refused at once with a {@code Retry-After}, never
 * queued: a queue would only move the pile-up in front of the handlers.
 */
final class Admission {
    /** Admin requests in flight, following log streams included. */
    static final int ADMIN_IN_FLIGHT = 64;
    /** Public requests in flight, over all clients; each may buffer a body of up to 6 MB. */
    static final int PUBLIC_IN_FLIGHT = 128;
    /** Public requests in flight from one client address (one connection each on HTTP/1.1). */
    static final int PUBLIC_PER_ADDRESS = 32;

    /** What a request is, for admission. */
    enum Traffic {
        /** the REST and Lambda APIs: callers prove a token or a signature */
        ADMIN,
        /** function URLs and routes: anyone may call them */
        PUBLIC,
        /** answered without work (health, unknown paths): admitted always */
        FREE
    }

    private final Semaphore admin;
    private final Semaphore publicTraffic;
    private final int perAddress;
    private final Map<InetAddress, Integer> publicByAddress = new ConcurrentHashMap<>();

    Admission(int adminInFlight, int publicInFlight, int perAddress) {
        this.admin = new Semaphore(adminInFlight);
        this.publicTraffic = new Semaphore(publicInFlight);
        this.perAddress = perAddress;
    }

    static Admission defaults() {
        return new Admission(ADMIN_IN_FLIGHT, PUBLIC_IN_FLIGHT, PUBLIC_PER_ADDRESS);
    }

    /**
     * A place for one request of {@code traffic} from {@code client}; close the ticket when the
     * request is answered.
     *
     * @throws Refused when the traffic's allowance or the client's share of it is used up
     */
    Ticket admit(Traffic traffic, InetAddress client) {
        return switch (traffic) {
            case FREE -> () -> {};
            case ADMIN -> {
                if (!admin.tryAcquire()) {
                    throw new Refused(503, "Busy", "the node is serving " + ADMIN_IN_FLIGHT
                            + " API requests already; try again shortly");
                }
                yield admin::release;
            }
            case PUBLIC -> admitPublic(client);
        };
    }

    private Ticket admitPublic(InetAddress client) {
        if (publicByAddress.merge(client, 1, Integer::sum) > perAddress) {
            leave(client);
            throw new Refused(429, "TooManyConnections", "this client address has " + perAddress
                    + " requests to functions in flight already; wait for one to finish");
        }
        if (!publicTraffic.tryAcquire()) {
            leave(client);
            throw new Refused(503, "Busy", "the node is serving as many requests to functions as it takes;"
                    + " try again shortly");
        }
        return () -> {
            publicTraffic.release();
            leave(client);
        };
    }

    private void leave(InetAddress client) {
        publicByAddress.computeIfPresent(client, (address, n) -> n == 1 ? null : n - 1);
    }

    /** A request's place; closing it twice is a bug. */
    interface Ticket extends AutoCloseable {
        @Override
        void close();
    }

    /** A request that was not admitted: answered with its status and {@code Retry-After: 1}. */
    static final class Refused extends RuntimeException {
        private final int status;
        private final String code;

        Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }

        int status() {
            return status;
        }

        String code() {
            return code;
        }
    }
}
