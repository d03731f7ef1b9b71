package dev.cumulus.sources;

/** One line for an error, from its deepest cause that says something. */
final class SourceErrors {
    private SourceErrors() {}

    static String describe(Throwable error) {
        if (error instanceof BrokerSession.ConnectionLostException) {
            return error.getMessage();
        }
        Throwable best = error;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t;
            }
            if (t.getCause() == t) break;
        }
        String message = best.getMessage();
        String text = best.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
