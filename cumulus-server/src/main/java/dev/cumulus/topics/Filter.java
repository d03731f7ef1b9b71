package dev.cumulus.topics;

/**
 * Which events of a topic a subscription takes, on CloudEvents attributes: each given part must
 * hold (exact {@code type}, exact {@code source}, {@code subject} starting with
 * {@code subjectPrefix}); a part left null matches anything, so the empty filter takes every event.
 */
record Filter(String type, String source, String subjectPrefix) {
    static final Filter ALL = new Filter(null, null, null);

    boolean matches(String eventType, String eventSource, String eventSubject) {
        return (type == null || type.equals(eventType))
                && (source == null || source.equals(eventSource))
                && (subjectPrefix == null || (eventSubject != null && eventSubject.startsWith(subjectPrefix)));
    }
}
