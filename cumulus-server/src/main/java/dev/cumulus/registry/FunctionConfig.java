package dev.cumulus.registry;

import dev.cumulus.sandbox.Egress;
import java.util.List;
import java.util.Map;

/**
 * The configuration of a function as the user sets it. Immutable: an update makes a new one.
 *
 * @param keepAliveSeconds how long an idle instance is kept; null means the node's default
 * @param publicUrl whether the function URL answers without a bearer token: true exactly when
 *     {@code urlAuth} is {@link UrlAuth#NONE} (kept for rows and callers from before urlAuth)
 * @param provisionedConcurrency instances of {@code $LATEST} kept warm at all times (0..maxInstances)
 * @param mounts host paths bound into the function's sandbox (admin grants; empty by default)
 * @param async how asynchronous invocations are retried and where their outcomes go; never null
 * @param egress where its instances may open connections; none by default, and granting any is
 *     an action of its own (issue 11, ADR 0038)
 * @param role the execution role (a role name in the function's project) whose rights each
 *     invocation's token carries; null for none, and a function without a role can call nothing
 * @param urlAuth who may call the function URL: the node's principals (the default), anyone, or
 *     the project's signed-in end users; null derives it from {@code publicUrl}, as rows stored
 *     before it existed read back
 */
public record FunctionConfig(
        String name,
        String runtime,
        String handler,
        int memoryMb,
        int timeoutSeconds,
        Map<String, String> environment,
        int maxInstances,
        int concurrency,
        Integer keepAliveSeconds,
        boolean publicUrl,
        int provisionedConcurrency,
        List<FunctionMount> mounts,
        AsyncConfig async,
        String role,
        Egress egress,
        UrlAuth urlAuth) {
    public static final String DEFAULT_RUNTIME = "java25";
    /** Lambda's custom runtime: the package's own executable {@code bootstrap} talks to the Runtime API. */
    public static final String RUNTIME_PROVIDED = "provided";
    public static final int DEFAULT_MEMORY_MB = 256;
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;
    public static final int DEFAULT_MAX_INSTANCES = 10;
    public static final int DEFAULT_CONCURRENCY = 1;

    public FunctionConfig {
        environment = Map.copyOf(environment);
        // rows stored before mounts or async settings existed read back with the defaults
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        async = async == null ? AsyncConfig.DEFAULTS : async;
        egress = egress == null ? Egress.NONE : egress;
        // one truth: urlAuth when given; publicUrl follows it so that older readers of the
        // stored JSON (which know publicUrl only) never see a user-guarded URL as public
        urlAuth = urlAuth == null ? (publicUrl ? UrlAuth.NONE : UrlAuth.TOKEN) : urlAuth;
        publicUrl = urlAuth == UrlAuth.NONE;
    }

    /** Who may call a function's URL ({@code /fn/NAME/}). */
    public enum UrlAuth {
        /** A principal of the node (root token, API key, admin user) allowed {@code functions:InvokeUrl}. */
        TOKEN,
        /** Anyone. */
        NONE,
        /**
         * An end user of the function's project with a valid access token (docs/auth.md),
         * checked before any instance starts; the function sees the user.
         */
        USER
    }

    /** Settings with an execution role and egress, the URL's auth following {@code publicUrl}. */
    public FunctionConfig(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            boolean publicUrl, int provisionedConcurrency, List<FunctionMount> mounts, AsyncConfig async,
            String role, Egress egress) {
        this(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances, concurrency,
                keepAliveSeconds, publicUrl, provisionedConcurrency, mounts, async, role, egress, null);
    }

    /** Settings without an execution role or egress, as every function had before both existed. */
    public FunctionConfig(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            boolean publicUrl, int provisionedConcurrency, List<FunctionMount> mounts, AsyncConfig async) {
        this(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances, concurrency,
                keepAliveSeconds, publicUrl, provisionedConcurrency, mounts, async, null, Egress.NONE);
    }

    /** Settings with async delivery and no mounts. */
    public FunctionConfig(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            boolean publicUrl, int provisionedConcurrency, AsyncConfig async) {
        this(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances, concurrency,
                keepAliveSeconds, publicUrl, provisionedConcurrency, List.of(), async);
    }

    /** Settings without mounts and with the default async delivery, as functions had before both existed. */
    public FunctionConfig(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            boolean publicUrl, int provisionedConcurrency) {
        this(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances, concurrency,
                keepAliveSeconds, publicUrl, provisionedConcurrency, List.of(), AsyncConfig.DEFAULTS);
    }

    /** Settings without provisioned concurrency, as every function had before it existed. */
    public FunctionConfig(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            boolean publicUrl) {
        this(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances, concurrency,
                keepAliveSeconds, publicUrl, 0, List.of(), AsyncConfig.DEFAULTS);
    }

    /** A new function's settings where the user gave only name and handler (docs/rest-api.md). */
    public static FunctionConfig defaults(String name, String handler) {
        return new FunctionConfig(
                name,
                DEFAULT_RUNTIME,
                handler,
                DEFAULT_MEMORY_MB,
                DEFAULT_TIMEOUT_SECONDS,
                Map.of(),
                DEFAULT_MAX_INSTANCES,
                DEFAULT_CONCURRENCY,
                null,
                false,
                0,
                List.of(),
                AsyncConfig.DEFAULTS);
    }

    /** The same settings with other async delivery settings. */
    public FunctionConfig withAsync(AsyncConfig changed) {
        return new FunctionConfig(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances,
                concurrency, keepAliveSeconds, publicUrl, provisionedConcurrency, mounts, changed, role, egress, urlAuth);
    }

    /** These settings with other instance limits: at most {@code maxInstances}, {@code provisioned} kept warm. */
    public FunctionConfig withInstances(int maxInstances, int provisioned) {
        return new FunctionConfig(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances,
                concurrency, keepAliveSeconds, publicUrl, provisioned, mounts, async, role, egress, urlAuth);
    }

    /** These settings with another network egress. */
    public FunctionConfig withEgress(Egress changed) {
        return new FunctionConfig(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances,
                concurrency, keepAliveSeconds, publicUrl, provisionedConcurrency, mounts, async, role, changed, urlAuth);
    }

    /** These settings with the function URL public (no bearer token) or answering the node's principals. */
    public FunctionConfig withPublicUrl(boolean publicUrl) {
        return withUrlAuth(publicUrl ? UrlAuth.NONE : UrlAuth.TOKEN);
    }

    /** These settings with another function URL auth. */
    public FunctionConfig withUrlAuth(UrlAuth changed) {
        return new FunctionConfig(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances,
                concurrency, keepAliveSeconds, changed == UrlAuth.NONE, provisionedConcurrency, mounts, async, role,
                egress, changed);
    }

    /** Whether {@code role} is well-formed as a role name (the registry answers a malformed one 400). */
    public static boolean isRoleName(String role) {
        return role != null && ConfigValidator.ROLE.matcher(role).matches();
    }

    /** These settings with execution role {@code role} (null for none). */
    public FunctionConfig withRole(String role) {
        return new FunctionConfig(name, runtime, handler, memoryMb, timeoutSeconds, environment, maxInstances,
                concurrency, keepAliveSeconds, publicUrl, provisionedConcurrency, mounts, async, role, egress, urlAuth);
    }
}
