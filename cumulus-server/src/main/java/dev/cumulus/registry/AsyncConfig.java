package dev.cumulus.registry;

/**
 * How a function's asynchronous invocations are delivered (docs/rest-api.md, "Asynchronous
 * invocation").
 *
 * @param maxRetries         retries after the first attempt fails (0..10)
 * @param maxEventAgeSeconds how long an accepted event may wait for a successful attempt (60..21600)
 * @param onSuccess          null, {@code function:NAME} or {@code topic:NAME}: gets a record of each success
 * @param onFailure          null, {@code function:NAME} or {@code topic:NAME}: gets each event that
 *                           exhausted its retries or its age, with the reason
 */
public record AsyncConfig(int maxRetries, int maxEventAgeSeconds, String onSuccess, String onFailure) {
    public static final int DEFAULT_MAX_RETRIES = 2;
    public static final int MAX_RETRIES = 10;
    public static final int DEFAULT_MAX_EVENT_AGE_SECONDS = 6 * 3600;
    public static final int MIN_EVENT_AGE_SECONDS = 60;
    public static final AsyncConfig DEFAULTS = new AsyncConfig(DEFAULT_MAX_RETRIES, DEFAULT_MAX_EVENT_AGE_SECONDS, null, null);

    /** Where an outcome goes: {@code function:NAME} or {@code topic:NAME}. */
    public record Destination(Kind kind, String name) {
        public enum Kind { FUNCTION, TOPIC }

        /** The destination {@code text} names, or empty when it is not of the form above with a valid name. */
        public static java.util.Optional<Destination> parse(String text) {
            if (text == null) return java.util.Optional.empty();
            int colon = text.indexOf(':');
            if (colon < 0) return java.util.Optional.empty();
            String name = text.substring(colon + 1);
            if (!ConfigValidator.isValidName(name)) return java.util.Optional.empty();
            return switch (text.substring(0, colon)) {
                case "function" -> java.util.Optional.of(new Destination(Kind.FUNCTION, name));
                case "topic" -> java.util.Optional.of(new Destination(Kind.TOPIC, name));
                default -> java.util.Optional.empty();
            };
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
        }
    }
}
