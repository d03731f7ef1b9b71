package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.util.Optional;
import java.util.regex.Pattern;

/** The rules of docs/rest-api.md for a function's settings; pure, so it runs before any I/O. */
final class ConfigValidator {
    static final String RUNTIME_JAVA25 = FunctionConfig.DEFAULT_RUNTIME;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    // Names a shell and System.getenv can both carry; Lambda has the same rule.
    // Lambda's rule for handlers of custom runtimes, which give the string their own meaning.
    private static final Pattern FREE_HANDLER = Pattern.compile("\\S{1,128}");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // IAM's characters for role names: they travel in tokens and CRNs, never a separator of either
    static final Pattern ROLE = Pattern.compile("[A-Za-z0-9_+=,.@-]{1,64}");

    private ConfigValidator() {}

    /**
     * @return the Java handler to look for in the code package; empty for {@code provided}, whose
     *     handler is only a string handed to its bootstrap as {@code _HANDLER}
     */
    static Optional<HandlerName> validate(FunctionConfig config) {
        validateName(config.name());
        Optional<HandlerName> handler;
        if (RUNTIME_JAVA25.equals(config.runtime())) {
            handler = Optional.of(HandlerName.parse(config.handler()));
        } else if (FunctionConfig.RUNTIME_PROVIDED.equals(config.runtime())) {
            if (config.handler() == null || !FREE_HANDLER.matcher(config.handler()).matches()) {
                throw ApiException.badRequest("InvalidHandler",
                        "handler must be 1-128 characters without white space, got '" + config.handler() + "'");
            }
            handler = Optional.empty();
        } else {
            throw ApiException.badRequest("UnsupportedRuntime", "runtime must be " + RUNTIME_JAVA25 + " or "
                    + FunctionConfig.RUNTIME_PROVIDED + ", got '" + config.runtime() + "'");
        }
        range("memoryMb", config.memoryMb(), 128, 10240);
        range("timeoutSeconds", config.timeoutSeconds(), 1, 900);
        range("maxInstances", config.maxInstances(), 1, 1000);
        range("concurrency", config.concurrency(), 1, 1000);
        if (config.keepAliveSeconds() != null) {
            range("keepAliveSeconds", config.keepAliveSeconds(), 0, 86400);
        }
        range("provisionedConcurrency", config.provisionedConcurrency(), 0, config.maxInstances());
        validateAsync(config.async());
        for (var variable : config.environment().entrySet()) {
            String key = variable.getKey();
            if (!ENV_KEY.matcher(key).matches()) {
                throw ApiException.badRequest(
                        "InvalidParameter", "environment: '" + key + "' is not a valid variable name");
            }
            if (variable.getValue() != null && variable.getValue().indexOf('\0') >= 0) {
                throw ApiException.badRequest("InvalidParameter", "environment: the value of '" + key
                        + "' contains a NUL character, which no process environment can hold");
            }
        }
        validateMounts(config.mounts());
        if (config.role() != null && !ROLE.matcher(config.role()).matches()) {
            throw ApiException.badRequest("InvalidParameter",
                    "role must be 1-64 characters of [A-Za-z0-9_+=,.@-], got '" + config.role() + "'");
        }
        return handler;
    }

    /**
     * Mounts go under /mnt and name absolute host paths; which host paths may be granted is the
     * {@link MountGuard}'s question, asked on real paths.
     */
    private static void validateMounts(java.util.List<FunctionMount> mounts) {
        java.util.Set<String> targets = new java.util.HashSet<>();
        for (FunctionMount m : mounts) {
            java.nio.file.Path source = java.nio.file.Path.of(m.source());
            if (!source.isAbsolute() || !source.normalize().equals(source)) {
                throw ApiException.badRequest("InvalidMount", "mount source must be an absolute, normalised host path: " + m.source());
            }
            java.nio.file.Path target = java.nio.file.Path.of(m.target());
            if (!target.isAbsolute() || !target.normalize().equals(target) || !target.startsWith("/mnt") || target.getNameCount() < 2) {
                throw ApiException.badRequest("InvalidMount", "mount target must be a normalised path under /mnt/, got " + m.target());
            }
            if (!targets.add(m.target())) {
                throw ApiException.badRequest("InvalidMount", "two mounts share the target " + m.target());
            }
        }
    }

    private static void validateAsync(AsyncConfig async) {
        range("async.maxRetries", async.maxRetries(), 0, AsyncConfig.MAX_RETRIES);
        range("async.maxEventAgeSeconds", async.maxEventAgeSeconds(), AsyncConfig.MIN_EVENT_AGE_SECONDS,
                AsyncConfig.DEFAULT_MAX_EVENT_AGE_SECONDS);
        destination("async.onSuccess", async.onSuccess());
        destination("async.onFailure", async.onFailure());
    }

    private static void destination(String field, String value) {
        if (value != null && AsyncConfig.Destination.parse(value).isEmpty()) {
            throw ApiException.badRequest("InvalidDestination", field + " must be 'function:NAME' or 'topic:NAME'"
                    + " with a name of 1-64 characters of [A-Za-z0-9_-], got '" + value + "'");
        }
    }

    static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.badRequest("InvalidName", "name must be 1-64 characters of [A-Za-z0-9_-], got '" + name + "'");
        }
    }

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    private static void range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw ApiException.badRequest(
                    "InvalidParameter", field + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
