package dev.cumulus.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.web.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code async} part of a function's settings as {@link FunctionSettings} reads it. */
class AsyncSettingsTest {
    static final FunctionConfig BASE = FunctionConfig.defaults("f", "a.B");

    static AsyncConfig apply(String asyncJson, FunctionConfig current) {
        return FunctionSettings.apply("f", Json.parseObject(("{\"async\":" + asyncJson + "}")
                .getBytes(StandardCharsets.UTF_8)), current).async();
    }

    @Test
    void aNewFunctionGetsTheDefaults() {
        assertThat(FunctionSettings.apply("f", Json.parseObject("{\"handler\":\"a.B\"}".getBytes(StandardCharsets.UTF_8)),
                null).async()).isEqualTo(new AsyncConfig(2, 21600, null, null));
    }

    @Test
    void fieldsLeftOutKeepTheirValuesAndNullClearsADestination() {
        AsyncConfig set = apply("{\"maxRetries\":5,\"onFailure\":\"function:dlq\",\"onSuccess\":\"topic:done\"}", BASE);
        assertThat(set).isEqualTo(new AsyncConfig(5, 21600, "topic:done", "function:dlq"));

        FunctionConfig current = new FunctionConfig("f", "java25", "a.B", 256, 30, java.util.Map.of(), 10, 1, null,
                false, 0, set);
        assertThat(apply("{\"maxEventAgeSeconds\":600,\"onSuccess\":null}", current))
                .isEqualTo(new AsyncConfig(5, 600, null, "function:dlq"));
        assertThat(apply("null", current)).isEqualTo(AsyncConfig.DEFAULTS);
    }

    @Test
    void wrongTypesAndUnknownFieldsAreRefused() {
        assertRefused("[]", "'async' must be an object");
        assertRefused("{\"maxRetries\":1.5}", "'async.maxRetries' must be an integer");
        assertRefused("{\"onFailure\":7}", "'async.onFailure' must be a string or null");
        assertRefused("{\"dlq\":\"function:x\"}", "unknown field 'async.dlq'");
    }

    @Test
    void destinationsParseOnlyInTheirTwoForms() {
        assertThat(AsyncConfig.Destination.parse("function:dlq")).contains(
                new AsyncConfig.Destination(AsyncConfig.Destination.Kind.FUNCTION, "dlq"));
        assertThat(AsyncConfig.Destination.parse("topic:orders-failed").orElseThrow().toString())
                .isEqualTo("topic:orders-failed");
        assertThat(AsyncConfig.Destination.parse("queue:x")).isEmpty();
        assertThat(AsyncConfig.Destination.parse("function:")).isEmpty();
        assertThat(AsyncConfig.Destination.parse("function:bad name")).isEmpty();
        assertThat(AsyncConfig.Destination.parse("dlq")).isEmpty();
    }

    private static void assertRefused(String asyncJson, String message) {
        assertThatThrownBy(() -> apply(asyncJson, BASE))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
