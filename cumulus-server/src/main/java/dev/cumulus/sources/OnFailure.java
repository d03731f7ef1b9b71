package dev.cumulus.sources;

/**
 * Where a batch goes once its retries are used up. Written {@code function:NAME[:QUALIFIER]} or
 * {@code topic:NAME}; topics are a seam for the topics capability (refused until it is wired in).
 */
sealed interface OnFailure {

    String spec();

    /** Submitted through the {@link dev.cumulus.invoke.AsyncInvoker}. */
    record ToFunction(String qualifiedName) implements OnFailure {
        @Override
        public String spec() {
            return "function:" + qualifiedName;
        }
    }

    /** Published to a Cumulus topic, once topics exist. */
    record ToTopic(String topic) implements OnFailure {
        @Override
        public String spec() {
            return "topic:" + topic;
        }
    }
}
