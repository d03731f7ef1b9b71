package dev.cumulus.topics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.errors.ApiException;
import dev.cumulus.invoke.AsyncInvoker;
import dev.cumulus.invoke.AsyncInvoker.PayloadFormat;
import dev.cumulus.invoke.Invoker;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.sources.SourceMappings;
import dev.cumulus.store.Database;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Project-scoped topics. Publishing stores nothing of its own: every subscription whose filter
 * takes the event gets one asynchronous event through {@link AsyncInvoker#submit}, keyed
 * {@code eventId + ":" + subscriptionId}, so publishing the same event id again (a retried
 * publish, a destination delivery tried again) never invokes a subscriber twice.
 */
public final class Topics implements TopicSink {
    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);
    /** Projects are one for now; the column is there for when there are more. */
    public static final String PROJECT = "default";
    /** The CloudEvents {@code type} of an event published without one. */
    static final String DEFAULT_TYPE = "dev.cumulus.topic.event";
    static final String SOURCE_FAILURE_TYPE = "dev.cumulus.source.failure";
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** An event id leaves room for {@code ":" + subscription id} within an idempotency key's 256 characters. */
    static final Pattern EVENT_ID = Pattern.compile("[\\x21-\\x7E]{1,200}");
    static final int MAX_ATTRIBUTE = 256;
    private static final Set<String> SUBSCRIPTION_FIELDS = Set.of("function", "filter", "payloadFormat");
    private static final Set<String> FILTER_FIELDS = Set.of("type", "source", "subjectPrefix");

    private final TopicStore store;
    private final Invoker invoker;
    private final AsyncInvoker async;
    private final Clock clock;

    private Topics(TopicStore store, Invoker invoker, AsyncInvoker async, Clock clock) {
        this.store = store;
        this.invoker = invoker;
        this.async = async;
        this.clock = clock;
    }

    /** @param invoker resolves subscribers' function names when they subscribe */
    public static Topics open(Database db, Invoker invoker, AsyncInvoker async, Clock clock) {
        return new Topics(new TopicStore(db), invoker, async, clock);
    }

    /** The {@code /v1/topics} routes of the edge's API. */
    public List<Route> routes() {
        return new TopicsMount(this).routes();
    }

    /** Publishing from inside a function, served on the instance's Runtime API socket. */
    /** Publishing from inside instances, as the function's execution role, which {@code guard} checks. */
    public InstanceService instanceService(dev.cumulus.iam.Guard guard) {
        return new InstancePublish(this, guard);
    }

    /** The seam of event source mappings for {@code topic:NAME} on-failure destinations. */
    public SourceMappings.TopicPublisher sourcePublisher() {
        return new SourceMappings.TopicPublisher() {
            @Override
            public void publish(String project, String topic, byte[] payload, String idempotencyKey) {
                String id = idempotencyKey == null ? Invoker.newRequestId() : eventIdFor(idempotencyKey);
                Topics.this.publish(project, topic, new Outgoing(id, "/v1/sources", SOURCE_FAILURE_TYPE, null, payload));
            }

            @Override
            public void requireTopic(String project, String topic) {
                requireExists(project, topic);
            }
        };
    }

    /** The subscriptions that invoke a function, for deleting it (dev.cumulus.functions.Functions). */
    public FunctionDependents dependents() {
        return new FunctionDependents() {
            @Override
            public List<Dependent> of(String project, String function) {
                return naming(project, function).stream().map(s -> new Dependent("subscription", s.id(),
                        s.id() + " to topic " + s.topic(), s.function())).toList();
            }

            @Override
            public void remove(String project, String function) {
                for (Subscription s : naming(project, function)) {
                    store.unsubscribe(project, s.topic(), s.id());
                }
            }
        };
    }

    private List<Subscription> naming(String project, String function) {
        return store.subscriptions(project).stream().filter(s -> FunctionDependents.names(s.function(), function)).toList();
    }

    // --- TopicSink: async.onSuccess / onFailure topic:NAME destinations ---

    @Override
    public boolean exists(String project, String topic) {
        return NAME.matcher(topic).matches() && store.topic(project, topic).isPresent();
    }

    @Override
    public void publish(String project, String topic, CloudEvent event) {
        publish(project, topic, new Outgoing(eventIdFor(event.id()), event.source(), event.type(), event.subject(),
                event.data()));
    }

    // --- topics ---

    /** @return the topic's view, with {@code created} false when it existed already */
    Map<String, Object> create(String project, String name) {
        requireName(name);
        boolean created = store.createTopic(project, name, clock.instant());
        Map<String, Object> view = get(project, name);
        view.put("created", created);
        return view;
    }

    List<Map<String, Object>> list(String project) {
        return store.topics(project).stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("createdAt", t.createdAt().toEpochMilli());
            m.put("subscriptions", t.subscriptions());
            return m;
        }).toList();
    }

    Map<String, Object> get(String project, String name) {
        var createdAt = requireExists(project, name);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("createdAt", createdAt.toEpochMilli());
        m.put("subscriptions", store.subscriptions(project, name).stream().map(Subscription::view).toList());
        return m;
    }

    void delete(String project, String name) {
        requireName(name);
        if (!store.deleteTopic(project, name)) {
            throw topicNotFound(name);
        }
    }

    // --- subscriptions ---

    Map<String, Object> subscribe(String project, String topic, JsonNode body) {
        requireExists(project, topic);
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!SUBSCRIPTION_FIELDS.contains(field)) {
                throw ApiException.badRequest("InvalidSubscription", "unknown field '" + field + "'; a subscription has "
                        + "function, filter and payloadFormat");
            }
        }
        JsonNode function = body.get("function");
        if (function == null || !function.isTextual() || function.asText().isBlank()) {
            throw ApiException.badRequest("InvalidFunction", "'function' is required: NAME or NAME:QUALIFIER");
        }
        String ref = function.asText();
        try {
            invoker.resolve(project, ref);
        } catch (ApiException e) {
            throw ApiException.badRequest("InvalidFunction", "'function' " + ref + ": " + e.getMessage());
        }
        Filter filter = filter(body.get("filter"));
        PayloadFormat format = payloadFormat(body.get("payloadFormat"));
        Subscription s = new Subscription("sub-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                project, topic, ref, filter, format, clock.instant());
        if (!store.subscribe(s)) {
            throw topicNotFound(topic);
        }
        return s.view();
    }

    List<Map<String, Object>> subscriptions(String project, String topic) {
        requireExists(project, topic);
        return store.subscriptions(project, topic).stream().map(Subscription::view).toList();
    }

    void unsubscribe(String project, String topic, String id) {
        requireExists(project, topic);
        if (!store.unsubscribe(project, topic, id)) {
            throw ApiException.notFound("topic " + topic + " has no subscription " + id);
        }
    }

    private static Filter filter(JsonNode node) {
        if (node == null || node.isNull()) {
            return Filter.ALL;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("InvalidFilter", "'filter' must be an object with type, source, subjectPrefix");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FILTER_FIELDS.contains(field)) {
                throw ApiException.badRequest("InvalidFilter", "unknown filter field '" + field
                        + "'; a filter matches on type, source and subjectPrefix");
            }
        }
        return new Filter(filterPart(node, "type"), filterPart(node, "source"), filterPart(node, "subjectPrefix"));
    }

    private static String filterPart(JsonNode filter, String field) {
        JsonNode value = filter.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isEmpty() || value.asText().length() > MAX_ATTRIBUTE
                || hasControl(value.asText())) {
            throw ApiException.badRequest("InvalidFilter", "filter." + field + " must be a non-empty string of at most "
                    + MAX_ATTRIBUTE + " printable characters");
        }
        return value.asText();
    }

    private static PayloadFormat payloadFormat(JsonNode node) {
        if (node == null || node.isNull()) {
            return PayloadFormat.RAW;
        }
        return switch (node.isTextual() ? node.asText() : "") {
            case "raw" -> PayloadFormat.RAW;
            case "cloudevents" -> PayloadFormat.CLOUDEVENTS;
            default -> throw ApiException.badRequest("InvalidPayloadFormat", "'payloadFormat' must be raw or cloudevents");
        };
    }

    // --- publishing ---

    /** One event on its way to a topic's subscribers; {@code id} is the CloudEvents id every subscriber sees. */
    record Outgoing(String id, String source, String type, String subject, byte[] data) {}

    /**
     * Checks and fans out an event from the API or a function: the attributes, the size, the JSON.
     *
     * @param id null for a fresh id
     */
    Map<String, Object> publishChecked(String project, String topic, String id, String source, String type,
            String subject, byte[] data) {
        requireName(topic);
        if (id != null && !EVENT_ID.matcher(id).matches()) {
            throw ApiException.badRequest("InvalidEventId", "an event id is 1-200 visible ASCII characters without spaces");
        }
        checkAttribute("source", source);
        checkAttribute("type", type);
        checkAttribute("subject", subject);
        if (data.length > AsyncInvoker.MAX_EVENT_BYTES) {
            throw ApiException.tooLarge("an event is limited to " + AsyncInvoker.MAX_EVENT_BYTES + " bytes of data, this one has "
                    + data.length);
        }
        if (data.length == 0) {
            throw ApiException.badRequest("MalformedJson", "the event data (the body) must be a JSON document");
        }
        Json.requireJson(data);
        return publish(project, topic, new Outgoing(id == null ? Invoker.newRequestId() : id, source,
                type == null ? DEFAULT_TYPE : type, subject, data));
    }

    private static void checkAttribute(String name, String value) {
        if (value != null && (value.isEmpty() || value.length() > MAX_ATTRIBUTE || hasControl(value))) {
            throw ApiException.badRequest("InvalidAttribute", "the CloudEvents attribute '" + name
                    + "' must be a non-empty string of at most " + MAX_ATTRIBUTE + " printable characters");
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    /**
     * One asynchronous event per matching subscription. A subscriber whose function was deleted
     * since it subscribed is skipped, logged and named in the answer: its events cannot run.
     */
    private Map<String, Object> publish(String project, String topic, Outgoing e) {
        requireExists(project, topic);
        int delivered = 0;
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (Subscription s : store.subscriptions(project, topic)) {
            if (!s.filter().matches(e.type(), e.source(), e.subject())) {
                continue;
            }
            try {
                async.submit(new AsyncInvoker.Event(s.function(), e.data(), e.id() + ":" + s.id(), e.source(), e.type(),
                        e.subject(), e.id(), s.format(), project));
                delivered++;
            } catch (ApiException refused) {
                if (refused.status() != 404) {
                    throw refused;
                }
                LOG.warn("topic {}: subscription {} names {}, which is gone; event {} skipped it", topic, s.id(),
                        s.function(), e.id());
                skipped.add(Map.of("subscription", s.id(), "function", s.function(), "reason", refused.getMessage()));
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("eventId", e.id());
        answer.put("topic", topic);
        answer.put("subscribers", delivered);
        if (!skipped.isEmpty()) {
            answer.put("skipped", skipped);
        }
        return answer;
    }

    private java.time.Instant requireExists(String project, String name) {
        requireName(name);
        return store.topic(project, name).orElseThrow(() -> topicNotFound(name));
    }

    private static ApiException topicNotFound(String name) {
        return new ApiException(404, "TopicNotFound", "topic " + name + " does not exist");
    }

    private static void requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw ApiException.badRequest("InvalidTopicName", "a topic name is 1-128 letters, digits, '_', '-' or '.', "
                    + "starting with a letter or digit");
        }
    }

    /** An id from elsewhere as an event id: kept when it fits, else its SHA-256 (stable, so repeats still collapse). */
    static String eventIdFor(String id) {
        if (EVENT_ID.matcher(id).matches()) {
            return id;
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }
}
