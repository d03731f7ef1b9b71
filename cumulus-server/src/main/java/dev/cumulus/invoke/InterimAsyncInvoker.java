package dev.cumulus.invoke;

import dev.cumulus.registry.FunctionVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an accepted event at once on a virtual thread: not durable, no retries. A stand-in until
 * the durable outbox and dispatcher replace it.
 */
public final class InterimAsyncInvoker implements AsyncInvoker {
    private static final Logger LOG = LoggerFactory.getLogger(InterimAsyncInvoker.class);
    private final Invoker invoker;

    public InterimAsyncInvoker(Invoker invoker) {
        this.invoker = invoker;
    }

    @Override
    public Accepted submit(Event event) {
        FunctionVersion version = invoker.resolve(event.qualifiedName());
        String requestId = Invoker.newRequestId();
        Thread.ofVirtual().name("async-" + requestId).start(() -> {
            try {
                Invocation result = invoker.invoke(version, requestId, event.payload());
                if (result.failed()) {
                    LOG.warn("async invocation {} of {} failed: {}", requestId, event.qualifiedName(),
                            result.failure().errorType());
                }
            } catch (Exception e) {
                LOG.warn("async invocation {} of {} was not delivered", requestId, event.qualifiedName(), e);
            }
        });
        return new Accepted(requestId, false);
    }
}
