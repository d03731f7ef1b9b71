package dev.cumulus.routes;

import java.time.Instant;
import java.util.List;

/**
 * One route: requests whose method and path match go to {@code function}.
 *
 * @param method   an HTTP method or {@code ANY}
 * @param path     the pattern as given, e.g. {@code /users/{id}} or {@code /files/{proxy+}}
 * @param function {@code NAME} or {@code NAME:QUALIFIER}
 * @param cors     null when the gateway adds no CORS headers
 * @param throttle null when the route is not throttled (the function's own limits still apply)
 */
public record Route(String id, String project, String method, String path, String function, PayloadFormat payloadFormat,
        Auth auth, Cors cors, Throttle throttle, Instant createdAt) {

    /** Which Lambda proxy event the function gets. */
    public enum PayloadFormat {
        V1("1.0"),
        V2("2.0");

        private final String label;

        PayloadFormat(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        static PayloadFormat of(String label) {
            for (PayloadFormat f : values()) {
                if (f.label.equals(label)) return f;
            }
            return null;
        }
    }

    /** Who may call the route. */
    public enum Auth {
        /** public */
        NONE,
        /** the root bearer token, until project keys exist */
        TOKEN,
        /**
         * an end user's access token of the project (dev.cumulus.users), checked before any instance
         * starts; the function sees the user as {@code requestContext.authorizer.jwt}
         */
        USER
    }

    /**
     * @param allowOrigins exact origins, or {@code *}
     * @param allowMethods methods a preflight may ask for; empty means the route's own method
     * @param allowHeaders request headers a preflight may ask for, or {@code *}
     * @param maxAgeSeconds how long browsers may cache a preflight answer; 0 leaves it to them
     */
    public record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
            List<String> exposeHeaders, int maxAgeSeconds, boolean allowCredentials) {
        public Cors {
            allowOrigins = List.copyOf(allowOrigins);
            allowMethods = List.copyOf(allowMethods);
            allowHeaders = List.copyOf(allowHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }

        boolean allowsOrigin(String origin) {
            return allowOrigins.contains("*") || allowOrigins.contains(origin);
        }
    }

    /** A token bucket: {@code rate} requests per second on average, up to {@code burst} at once. */
    public record Throttle(double rate, int burst) {}
}
