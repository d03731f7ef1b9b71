package dev.cumulus.invoke;

import dev.cumulus.registry.FunctionArns;
import dev.cumulus.registry.FunctionVersion;
import java.util.Objects;
import java.util.function.Function;

/**
 * One synchronous invocation as a caller asks for it: which function, with what, from where.
 * Built with {@link #to(FunctionVersion)} or {@link #to(String, String)} and handed to
 * {@link Invoker#invoke(Call)}, which mints the request id (unless the caller brings one that
 * must survive retries) and returns it with the result.
 *
 * <p>Callers whose event embeds the request id (HTTP events, CloudEvents) give functions of the
 * id rather than bytes, so that the id is minted in one place and still reaches the event.
 */
public final class Call {
    /** Where an invocation came from, for the function's token and the node's own records. */
    public enum Trigger {
        /** {@code POST /v1/functions/NAME/invoke}. */
        REST_API,
        /** The Lambda-compatible {@code Invoke} operation. */
        LAMBDA_API,
        /** A function URL, {@code /fn/NAME}. */
        FUNCTION_URL,
        /** An HTTP route of the API gateway. */
        ROUTE,
        /** An asynchronous event from the outbox (schedules, topics and async invokes end here). */
        ASYNC,
        /** A batch from an event source mapping. */
        SOURCE,
        /** A blocking hook of end-user auth ({@code beforeCreate}, {@code beforeSignIn}). */
        AUTH_HOOK
    }

    private final FunctionVersion version;
    private final String qualifiedName;
    private final String project;
    private final Trigger trigger;
    private final String requestId;
    private final Function<String, byte[]> payload;
    private final Function<String, String> cloudEvent;
    private final String clientContext;
    private final String cognitoIdentity;

    private Call(Builder b) {
        this.version = b.version;
        this.qualifiedName = b.qualifiedName;
        this.project = b.project;
        this.trigger = Objects.requireNonNull(b.trigger, "trigger");
        this.requestId = b.requestId;
        this.payload = Objects.requireNonNull(b.payload, "payload");
        this.cloudEvent = b.cloudEvent;
        this.clientContext = b.clientContext;
        this.cognitoIdentity = b.cognitoIdentity;
    }

    /** A call to a version the caller has already resolved; its project is the version's. */
    public static Builder to(FunctionVersion version) {
        Builder b = new Builder(Objects.requireNonNull(version, "version"), null);
        b.project = version.project();
        return b;
    }

    /** A call to {@code name} or {@code name:qualifier} of {@code project}, resolved by the invoker. */
    public static Builder to(String project, String qualifiedName) {
        Builder b = new Builder(null, Objects.requireNonNull(qualifiedName, "qualifiedName"));
        b.project = project == null ? FunctionArns.DEFAULT_PROJECT : project;
        return b;
    }

    /** The resolved version, or null when the invoker resolves {@link #qualifiedName()}. */
    FunctionVersion version() {
        return version;
    }

    String qualifiedName() {
        return qualifiedName;
    }

    public String project() {
        return project;
    }

    public Trigger trigger() {
        return trigger;
    }

    /** The caller's own request id, or null for the invoker to mint one. */
    String requestId() {
        return requestId;
    }

    byte[] payload(String id) {
        return payload.apply(id);
    }

    String cloudEvent(String id) {
        return cloudEvent == null ? null : cloudEvent.apply(id);
    }

    String clientContext() {
        return clientContext;
    }

    String cognitoIdentity() {
        return cognitoIdentity;
    }

    public static final class Builder {
        private final FunctionVersion version;
        private final String qualifiedName;
        private String project;
        private Trigger trigger;
        private String requestId;
        private Function<String, byte[]> payload;
        private Function<String, String> cloudEvent;
        private String clientContext;
        private String cognitoIdentity;

        private Builder(FunctionVersion version, String qualifiedName) {
            this.version = version;
            this.qualifiedName = qualifiedName;
        }

        public Builder trigger(Trigger trigger) {
            this.trigger = trigger;
            return this;
        }

        /**
         * The id to run under instead of a fresh one: an asynchronous event keeps its id across
         * retries, and the Lambda API names its request before it knows it will invoke.
         */
        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder payload(byte[] payload) {
            Objects.requireNonNull(payload, "payload");
            this.payload = id -> payload;
            return this;
        }

        /** The payload built from the request id the invoker settles on (HTTP events carry it). */
        public Builder payload(Function<String, byte[]> fromRequestId) {
            this.payload = fromRequestId;
            return this;
        }

        /** The event's CloudEvents attributes (JSON), sent as {@code Cumulus-Cloud-Event}. */
        public Builder cloudEvent(String attributesJson) {
            this.cloudEvent = attributesJson == null ? null : id -> attributesJson;
            return this;
        }

        /** The CloudEvents attributes built from the request id (the event's id is the request's). */
        public Builder cloudEvent(Function<String, String> fromRequestId) {
            this.cloudEvent = fromRequestId;
            return this;
        }

        /** Sent as {@code Lambda-Runtime-Client-Context}. */
        public Builder clientContext(String clientContext) {
            this.clientContext = clientContext;
            return this;
        }

        /**
         * Sent as {@code Lambda-Runtime-Cognito-Identity}: the end user a route verified
         * ({@code cognitoIdentityId}, {@code cognitoIdentityPoolId} {@code cumulus:project:P},
         * {@code email}, {@code claims}); Java functions read it as {@code Context.user()}.
         */
        public Builder cognitoIdentity(String cognitoIdentity) {
            this.cognitoIdentity = cognitoIdentity;
            return this;
        }

        public Call build() {
            return new Call(this);
        }
    }
}
