package dev.cumulus.async;

import dev.cumulus.async.DeliveryStateMachine.Backoff;
import dev.cumulus.async.DeliveryStateMachine.State;
import dev.cumulus.async.OutboxRow.TargetKind;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The durable {@link AsyncInvoker}: {@link #submit} stores the event in the outbox (in the Store)
 * and answers only then; a {@link Dispatcher} delivers it with retries, and the outcome goes to
 * the function's destinations. Also serves what the API shows of events
 * ({@code GET /v1/invocations/{id}}, {@code GET /v1/functions/{name}/invocations}).
 */
public final class AsyncDelivery implements AsyncInvoker, AutoCloseable {
    static final String INVOKE_TYPE = "dev.cumulus.function.invoke";
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,256}");
    static final int MAX_LIST = 1000;

    /**
     * @param concurrency most deliveries running at once on this node
     * @param backoff     the first retry's delay ceiling; each further retry doubles it (with jitter), up to {@code maxBackoff}
     * @param retention   how long ended events (and with them their idempotency keys, at least 24 h) are kept
     * @param maxPending  events one function may have waiting for delivery; a submit beyond is a 429
     */
    public record Settings(int concurrency, Duration backoff, Duration maxBackoff, Duration retention, int maxPending) {
        /** At 256 KB an event, what one function's backlog may hold in the Store: 2.5 GB at most. */
        public static final int DEFAULT_MAX_PENDING = 10_000;

        public Settings {
            if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1");
            if (maxPending < 1) throw new IllegalArgumentException("maxPending must be at least 1");
            if (retention.compareTo(Duration.ofHours(24)) < 0) {
                throw new IllegalArgumentException("idempotency keys are kept at least 24 h; retention " + retention);
            }
        }

        public static Settings defaults() {
            return new Settings(16, Duration.ofSeconds(2), Duration.ofMinutes(5), Duration.ofDays(7), DEFAULT_MAX_PENDING);
        }

        /** The same settings with another first backoff (tests use milliseconds). */
        public Settings withBackoff(Duration first) {
            return new Settings(concurrency, first, maxBackoff.compareTo(first) < 0 ? first : maxBackoff, retention,
                    maxPending);
        }

        public Settings withConcurrency(int n) {
            return new Settings(n, backoff, maxBackoff, retention, maxPending);
        }

        public Settings withMaxPending(int n) {
            return new Settings(concurrency, backoff, maxBackoff, retention, n);
        }
    }

    private final Outbox outbox;
    private final Dispatcher dispatcher;
    private final Invoker invoker;
    private final FunctionRegistry registry;
    private final TopicSink topics;
    private final Clock clock;
    private final int maxPending;

    private AsyncDelivery(Outbox outbox, Dispatcher dispatcher, Invoker invoker, FunctionRegistry registry,
            TopicSink topics, Clock clock, int maxPending) {
        this.maxPending = maxPending;
        this.outbox = outbox;
        this.dispatcher = dispatcher;
        this.invoker = invoker;
        this.registry = registry;
        this.topics = topics;
        this.clock = clock;
    }

    /**
     * Starts delivering: first queues again what this node ({@code <dataDir>/node-id}) was running
     * when it stopped or died.
     */
    public static AsyncDelivery start(Database db, Invoker invoker, FunctionRegistry registry, TopicSink topics,
            Settings settings, Path dataDir, Clock clock) {
        Outbox outbox = new Outbox(db);
        Dispatcher dispatcher = new Dispatcher(outbox, invoker, topics, settings.concurrency(),
                new Backoff(settings.backoff(), settings.maxBackoff()), settings.retention(), clock, nodeId(dataDir));
        dispatcher.start();
        return new AsyncDelivery(outbox, dispatcher, invoker, registry, topics, clock, settings.maxPending());
    }

    /** This node's identity in leases, kept in the data dir so a restart finds its own running events. */
    static String nodeId(Path dataDir) {
        Path file = dataDir.resolve("node-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            String id = UUID.randomUUID().toString();
            Files.writeString(file, id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }

    @Override
    public Accepted submit(Event event) {
        byte[] data = event.payload() == null ? new byte[0] : event.payload();
        if (data.length > MAX_EVENT_BYTES) {
            throw ApiException.tooLarge("an asynchronous event is limited to " + MAX_EVENT_BYTES + " bytes, this one has "
                    + data.length);
        }
        Json.requireJson(data);
        String key = event.idempotencyKey();
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiException.badRequest("InvalidIdempotencyKey",
                    "an idempotency key is 1-256 visible ASCII characters without spaces");
        }
        FunctionVersion version = invoker.resolve(event.project(), event.qualifiedName());
        String requestId = Invoker.newRequestId();
        Instant now = clock.instant();
        CloudEvent cloudEvent = new CloudEvent(
                event.eventId() != null ? event.eventId() : requestId,
                event.source() != null ? event.source() : "/v1/functions/" + version.functionName(),
                event.type() != null ? event.type() : INVOKE_TYPE,
                event.subject(), now, data);
        Outbox.Inserted inserted = outbox.insert(OutboxRow.queued(requestId, version.project(), TargetKind.FUNCTION,
                event.qualifiedName(), version.functionName(), key, null, cloudEvent,
                event.format() != null ? event.format() : PayloadFormat.RAW, now), maxPending);
        if (!inserted.duplicate()) {
            dispatcher.poke();
        }
        return new Accepted(inserted.requestId(), inserted.duplicate());
    }

    /**
     * Refuses async settings whose destinations do not exist, with a 400 that names them; the
     * syntax and ranges are the registry's to check.
     */
    public void checkSettings(String project, FunctionConfig config) {
        AsyncConfig async = config.async();
        checkDestination(project, "async.onSuccess", async.onSuccess(), config.name());
        checkDestination(project, "async.onFailure", async.onFailure(), config.name());
    }

    private void checkDestination(String project, String field, String value, String self) {
        AsyncConfig.Destination destination = AsyncConfig.Destination.parse(value).orElse(null);
        if (destination == null) {
            return; // absent, or malformed: the registry says which
        }
        boolean exists = switch (destination.kind()) {
            case FUNCTION -> destination.name().equals(self)
                    || registry.project(project).get(destination.name()).isPresent();
            case TOPIC -> topics.exists(project, destination.name());
        };
        if (!exists) {
            throw ApiException.badRequest("InvalidDestination", field + ": " + destination.kind().name().toLowerCase(
                    java.util.Locale.ROOT) + " " + destination.name() + " does not exist");
        }
    }

    /**
     * The event that asynchronous invocation {@code requestId} of {@code project} runs for, while
     * the outbox keeps it; empty for any other invocation (synchronous ones have no row).
     */
    public Optional<CloudEvent> event(String project, String requestId) {
        return outbox.find(requestId).filter(r -> r.project().equals(project)).map(OutboxRow::event);
    }

    /** {@code GET /v1/invocations/{id}}: the event, its state and every attempt. */
    public Map<String, Object> describe(String project, String requestId) {
        OutboxRow row = outbox.find(requestId).filter(r -> r.project().equals(project))
                .orElseThrow(() -> ApiException.notFound("no asynchronous invocation " + requestId));
        Map<String, Object> view = summary(row);
        var event = row.event().attributes();
        event.set("data", row.event().dataTree());
        view.put("event", event);
        view.put("tries", outbox.attempts(requestId).stream().map(AsyncDelivery::attempt).toList());
        view.put("destinations", outbox.carrying(requestId).stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("requestId", d.requestId());
            m.put("target", d.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + d.target());
            m.put("type", d.event().type());
            m.put("state", d.state().wire());
            return m;
        }).toList());
        return view;
    }

    /** {@code GET /v1/functions/{name}/invocations}: its most recent events, newest first. */
    public Map<String, Object> recent(String project, String functionName, int limit, String state) {
        if (registry.project(project).get(functionName).isEmpty()) {
            throw ApiException.notFound("function " + functionName + " does not exist");
        }
        if (limit < 1 || limit > MAX_LIST) {
            throw ApiException.badRequest("InvalidParameter", "'limit' must be a whole number from 1 to " + MAX_LIST);
        }
        State filter = null;
        if (state != null) {
            filter = java.util.Arrays.stream(State.values()).filter(s -> s.wire().equals(state)).findFirst()
                    .orElseThrow(() -> ApiException.badRequest("InvalidParameter", "'state' must be one of "
                            + java.util.Arrays.stream(State.values()).map(State::wire).toList()));
        }
        List<Map<String, Object>> rows = outbox.recent(project, functionName, filter, limit).stream()
                .map(AsyncDelivery::summary).toList();
        return Map.of("invocations", rows);
    }

    /** The {@code /v1/invocations} routes of the edge's API. */
    public List<Route> routes() {
        return new InvocationsMount(this).routes();
    }

    private static Map<String, Object> summary(OutboxRow row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestId", row.requestId());
        m.put("target", row.kind().name().toLowerCase(java.util.Locale.ROOT) + ":" + row.target());
        m.put("state", row.state().wire());
        m.put("attempts", row.attempts());
        m.put("acceptedAt", row.createdAt());
        m.put("updatedAt", row.updatedAt());
        if (row.state() == State.RETRY_WAIT || row.state() == State.QUEUED) {
            m.put("nextAttemptAt", row.nextAttemptAt());
        }
        if (row.idempotencyKey() != null) {
            m.put("idempotencyKey", row.idempotencyKey());
        }
        if (row.originId() != null) {
            m.put("origin", row.originId());
        }
        m.put("cloudEventType", row.event().type());
        if (row.errorType() != null) {
            m.put("error", Map.of("errorType", row.errorType(),
                    "errorMessage", row.errorMessage() == null ? "" : row.errorMessage()));
        }
        return m;
    }

    private static Map<String, Object> attempt(Attempt a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("try", a.tryNumber());
        m.put("startedAt", a.startedAt());
        m.put("endedAt", a.endedAt());
        m.put("outcome", a.outcome());
        if (a.version() != null) {
            m.put("version", a.version());
        }
        if (a.errorType() != null) {
            m.put("error", Map.of("errorType", a.errorType(),
                    "errorMessage", a.errorMessage() == null ? "" : a.errorMessage()));
        }
        return m;
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
