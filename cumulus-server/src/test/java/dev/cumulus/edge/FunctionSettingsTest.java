package dev.cumulus.edge;

import dev.cumulus.web.Json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.registry.FunctionConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionSettingsTest {
    @Test
    void createFillsDefaults() {
        FunctionConfig c = FunctionSettings.apply("f", json("{\"handler\":\"a.B\"}"), null);
        assertThat(c).isEqualTo(new FunctionConfig("f", "java25", "a.B", 256, 30, Map.of(), 10, 1, null, false));
    }

    @Test
    void updateKeepsWhatIsLeftOut() {
        FunctionConfig current = new FunctionConfig("f", "java25", "a.B", 512, 5, Map.of("K", "v"), 3, 2, 60, true);
        FunctionConfig c = FunctionSettings.apply("f", json("{\"memoryMb\":1024,\"keepAliveSeconds\":null}"), current);
        assertThat(c).isEqualTo(new FunctionConfig("f", "java25", "a.B", 1024, 5, Map.of("K", "v"), 3, 2, null, true));
    }

    @Test
    void wrongTypesAndUnknownFieldsAreRefused() {
        assertRefused("{\"handler\":\"a.B\",\"memoryMb\":\"big\"}", "InvalidParameter", "memoryMb");
        assertRefused("{\"handler\":\"a.B\",\"memoryMb\":1.5}", "InvalidParameter", "memoryMb");
        assertRefused("{\"handler\":\"a.B\",\"public\":\"yes\"}", "InvalidParameter", "public");
        assertRefused("{\"handler\":\"a.B\",\"environment\":{\"K\":1}}", "InvalidParameter", "environment.K");
        assertRefused("{\"handler\":\"a.B\",\"memory\":128}", "InvalidParameter", "memory");
        assertRefused("{\"memoryMb\":128}", "InvalidHandler", "handler");
        assertRefused("{\"handler\":\"a.B\",\"name\":\"other\"}", "InvalidParameter", "another function");
    }

    private static void assertRefused(String body, String code, String mention) {
        assertThatThrownBy(() -> FunctionSettings.apply("f", json(body), null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(mention);
                });
    }

    private static JsonNode json(String s) {
        return Json.parseObject(s.getBytes());
    }
}
