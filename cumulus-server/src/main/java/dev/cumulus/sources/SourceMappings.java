package dev.cumulus.sources;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Call;
import dev.cumulus.invoke.Invocation;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionDependents.Dependent;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.scheduler.ThrottledException;
import dev.cumulus.store.Database;
import dev.cumulus.web.Route;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the node's event source mappings: starts every enabled one with the node, adds, removes,
 * enables and disables them for the API, and stops them all on close (in-flight batches finish,
 * the rest stays unacknowledged for redelivery).
 */
public final class SourceMappings implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceMappings.class);
    /** How long a stop waits for batches already invoking. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /**
     * The seam for {@code topic:NAME} on-failure destinations: the topics capability implements
     * it; until it is wired in, such destinations are refused at creation.
     */
    public interface TopicPublisher {
        /** @throws ApiException when the project's topic does not exist or refuses the event */
        void publish(String project, String topic, byte[] payload, String idempotencyKey);

        /** @throws ApiException (404) when the project has no such topic */
        void requireTopic(String project, String topic);
    }

    /**
     * Decides who may make a mapping in a project other than {@code default}: a mapping makes the
     * node itself connect to a broker and subscribe, from the node's place in the network, so a
     * tenant must not name brokers on its own (it could read what others publish on a broker
     * only the node reaches). The node asks the root principal, as egress is a grant of its own.
     */
    @FunctionalInterface
    public interface BrokerGrant {
        /** @throws ApiException (403) when the caller may not connect the node to a broker for the project */
        void check(dev.cumulus.web.Call call, String mapping);
    }

    private final SourceStore store;
    private final BrokerGrant brokerGrant;
    private final Invoker invoker;
    private final AsyncInvoker async;
    private final TopicPublisher topics;
    /** The CloudEvents type of a batch a source delivers; the subject is what the mapping reads. */
    static final String BATCH_TYPE = "dev.cumulus.source.batch";

    private final Clock clock;
    private final Dispatch dispatch = new InvokerDispatch();
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    private record Running(SourceMapping mapping, ConnectionStateMachine connection, MappingRunner runner) {}

    private SourceMappings(SourceStore store, Invoker invoker, AsyncInvoker async, TopicPublisher topics,
            BrokerGrant brokerGrant, Clock clock) {
        this.store = store;
        this.brokerGrant = brokerGrant;
        this.invoker = invoker;
        this.async = async;
        this.topics = topics;
        this.clock = clock;
    }

    /**
     * Loads the stored mappings and starts the enabled ones; brokers that cannot be reached are
     * retried in the background, so this never blocks on the network.
     *
     * @param topics null while the node has no topics
     */
    public static SourceMappings start(Database db, Invoker invoker, AsyncInvoker async, TopicPublisher topics,
            BrokerGrant brokerGrant, Clock clock) {
        SourceMappings sources = new SourceMappings(new SourceStore(db), invoker, async, topics, brokerGrant, clock);
        for (SourceMapping mapping : sources.store.list()) {
            sources.launch(mapping);
        }
        return sources;
    }

    /** The {@code /v1/sources} routes of the edge's API. */
    public List<Route> routes() {
        return new SourcesMount(this).routes();
    }

    /**
     * The mappings that invoke a function, or send it their failed batches, for deleting it
     * (dev.cumulus.functions.Functions). A cascade removes the whole mapping: a mapping
     * cannot be changed, only deleted and added again.
     */
    public FunctionDependents dependents() {
        return new FunctionDependents() {
            @Override
            public List<Dependent> of(String project, String function) {
                List<Dependent> found = new ArrayList<>();
                for (SourceMapping m : store.list(project)) {
                    if (FunctionDependents.names(m.function(), function)) {
                        found.add(new Dependent("source", m.name(), m.name(), m.function()));
                    }
                    if (m.onFailure() instanceof OnFailure.ToFunction(String target)
                            && FunctionDependents.names(target, function)) {
                        found.add(new Dependent("source", m.name(), m.name() + " (onFailure)", target));
                    }
                }
                return found;
            }

            @Override
            public void remove(String project, String function) {
                of(project, function).stream().map(Dependent::id).distinct().forEach(name -> delete(project, name));
            }
        };
    }

    synchronized Map<String, Object> create(dev.cumulus.web.Call call, JsonNode body) {
        String project = call.project();
        SourceMapping mapping = MappingSpecs.parse(project, body, function -> invoker.resolve(project, function),
                clock.instant());
        if (!FunctionArns.DEFAULT_PROJECT.equals(project)) {
            brokerGrant.check(call, mapping.name());
        }
        if (mapping.onFailure() instanceof OnFailure.ToTopic(String topic)) {
            if (topics == null) {
                throw ApiException.badRequest("UnsupportedOnFailure", "topic destinations need topics, which this "
                        + "node does not have yet; use onFailure function:NAME");
            }
            try {
                topics.requireTopic(project, topic);
            } catch (ApiException e) {
                throw ApiException.badRequest("TopicNotFound", "onFailure names topic '" + topic + "': " + e.getMessage());
            }
        }
        if (!store.insert(mapping)) {
            throw ApiException.conflict("SourceExists", "source " + mapping.name() + " exists already; delete it first");
        }
        return view(launch(mapping));
    }

    List<Map<String, Object>> list(String project) {
        List<Map<String, Object>> views = new ArrayList<>();
        for (SourceMapping mapping : store.list(project)) {
            Running r = running.get(mapping.key());
            if (r != null) views.add(view(r));
        }
        return views;
    }

    Map<String, Object> get(String project, String name) {
        return view(require(project, name));
    }

    synchronized void delete(String project, String name) {
        Running r = require(project, name);
        stop(r);
        running.remove(r.mapping().key());
        store.delete(project, name);
    }

    synchronized Map<String, Object> setEnabled(String project, String name, boolean enabled) {
        Running r = require(project, name);
        if (r.mapping().enabled() == enabled) {
            return view(r);
        }
        store.setEnabled(project, name, enabled, clock.instant());
        if (!enabled) {
            stop(r);
            r.connection().disable();
            Running off = new Running(r.mapping().withEnabled(false), r.connection(), r.runner());
            running.put(off.mapping().key(), off);
            return view(off);
        }
        r.connection().enable();
        return view(launch(r.mapping().withEnabled(true), r.connection()));
    }

    private Running launch(SourceMapping mapping) {
        return launch(mapping, new ConnectionStateMachine(clock, mapping.enabled()));
    }

    private Running launch(SourceMapping mapping, ConnectionStateMachine connection) {
        MappingRunner runner = new MappingRunner(mapping, Broker.of(mapping), dispatch, connection, clock);
        Running r = new Running(mapping, connection, runner);
        running.put(mapping.key(), r);
        if (mapping.enabled()) {
            runner.start();
        }
        return r;
    }

    private Running require(String project, String name) {
        Running r = running.get(project + "/" + name);
        if (r == null) {
            throw ApiException.notFound("no source named " + name);
        }
        return r;
    }

    private static void stop(Running r) {
        if (!r.runner().stop(STOP_GRACE)) {
            LOG.warn("source {}: batches still running after {} s; leaving them", r.mapping().name(),
                    STOP_GRACE.toSeconds());
        }
    }

    private Map<String, Object> view(Running r) {
        SourceMapping m = r.mapping();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", m.name());
        view.put("type", m.type().wireName());
        view.put("url", Urls.redact(m.url()));
        if (m.topic() != null) view.put("topic", m.topic());
        if (m.stream() != null) view.put("stream", m.stream());
        if (m.subject() != null) view.put("subject", m.subject());
        if (m.queue() != null) view.put("queue", m.queue());
        view.put("function", m.function());
        view.put("batchSize", m.batchSize());
        view.put("batchWindowMs", m.batchWindowMs());
        view.put("ordered", m.ordered());
        view.put("maxRetries", m.maxRetries());
        view.put("onFailure", m.onFailure() == null ? null : m.onFailure().spec());
        view.put("enabled", m.enabled());
        view.put("eventSourceARN", m.arn());
        view.put("createdAt", m.createdAt().toString());
        ConnectionStateMachine.Snapshot state = r.connection().snapshot();
        MappingRunner.Counters counters = r.runner().counters();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state.state().name().toLowerCase(java.util.Locale.ROOT));
        status.put("since", state.since().toString());
        status.put("inFlight", counters.inFlight());
        OptionalLong lag = r.runner().backlog();
        status.put("lag", lag.isPresent() ? lag.getAsLong() : null);
        status.put("processed", counters.processed());
        status.put("failed", counters.failed());
        status.put("retries", counters.retries());
        status.put("failedConnectAttempts", state.failedAttempts());
        status.put("lastError", state.lastError());
        status.put("lastErrorAt", state.lastErrorAt() == null ? null : state.lastErrorAt().toString());
        view.put("status", status);
        return view;
    }

    @Override
    public void close() {
        // every mapping winds down at once, so shutdown waits for the slowest batch, not their sum
        List<Thread> stoppers = new ArrayList<>();
        for (Running r : running.values()) {
            stoppers.add(Thread.ofVirtual().start(() -> stop(r)));
        }
        for (Thread stopper : stoppers) {
            try {
                stopper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        running.clear();
    }

    /** The topic filter, subject, queue or stream the mapping reads, in that order. */
    private static String subject(SourceMapping m) {
        if (m.topic() != null) return m.topic();
        if (m.subject() != null) return m.subject();
        if (m.queue() != null) return m.queue();
        return m.stream();
    }

    /** Batches go to the function through the invoker; failures through the async invoker or a topic. */
    private final class InvokerDispatch implements Dispatch {
        @Override
        public FailureReason invoke(SourceMapping mapping, byte[] batch) throws InterruptedException {
            try {
                // the batch travels as a CloudEvent like every other event (ADR 0012): the function
                // sees where it came from in Context.cloudEvent(), the body stays the SQS-style batch
                Invocation result = invoker.invoke(Call.to(mapping.project(), mapping.function()).trigger(Call.Trigger.SOURCE)
                        .payload(batch)
                        .cloudEvent(requestId -> new CloudEvent(requestId, "/v1/sources/" + mapping.name(), BATCH_TYPE,
                                subject(mapping), clock.instant(), batch).attributesJson())
                        .build());
                return result.failed()
                        ? new FailureReason(result.failure().errorType(), result.failure().errorMessage())
                        : null;
            } catch (ThrottledException e) {
                return new FailureReason("Throttled", e.getMessage());
            } catch (ApiException e) {
                return new FailureReason(e.code(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("source {}: invoking {} failed", mapping.name(), mapping.function(), e);
                return new FailureReason(e.getClass().getSimpleName(), e.getMessage());
            }
        }

        @Override
        public void onFailure(SourceMapping mapping, OnFailure destination, byte[] record, String idempotencyKey) {
            switch (destination) {
                case OnFailure.ToFunction(String function) -> async.submit(new AsyncInvoker.Event(function, record,
                        idempotencyKey, "/v1/sources/" + mapping.name(), "dev.cumulus.source.failure", mapping.function(),
                        null, null, mapping.project()));
                case OnFailure.ToTopic(String topic) -> {
                    if (topics == null) {
                        throw new IllegalStateException("this node has no topics to publish to " + topic);
                    }
                    topics.publish(mapping.project(), topic, record, idempotencyKey);
                }
            }
        }
    }
}
