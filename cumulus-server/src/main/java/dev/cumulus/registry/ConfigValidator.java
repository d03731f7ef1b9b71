package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.util.regex.Pattern;

/** The rules of docs/rest-api.md for a function's settings; pure, so it runs before any I/O. */
final class ConfigValidator {
    static final String RUNTIME_JAVA25 = FunctionConfig.DEFAULT_RUNTIME;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    // Names a shell and System.getenv can both carry; Lambda has the same rule.
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ConfigValidator() {}

    static HandlerName validate(FunctionConfig config) {
        validateName(config.name());
        if (!RUNTIME_JAVA25.equals(config.runtime())) {
            throw ApiException.badRequest(
                    "UnsupportedRuntime", "runtime must be " + RUNTIME_JAVA25 + ", got '" + config.runtime() + "'");
        }
        HandlerName handler = HandlerName.parse(config.handler());
        range("memoryMb", config.memoryMb(), 128, 10240);
        range("timeoutSeconds", config.timeoutSeconds(), 1, 900);
        range("maxInstances", config.maxInstances(), 1, 1000);
        range("concurrency", config.concurrency(), 1, 1000);
        if (config.keepAliveSeconds() != null) {
            range("keepAliveSeconds", config.keepAliveSeconds(), 0, 86400);
        }
        range("provisionedConcurrency", config.provisionedConcurrency(), 0, config.maxInstances());
        validateAsync(config.async());
        for (String key : config.environment().keySet()) {
            if (!ENV_KEY.matcher(key).matches()) {
                throw ApiException.badRequest(
                        "InvalidParameter", "environment: '" + key + "' is not a valid variable name");
            }
        }
        return handler;
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
