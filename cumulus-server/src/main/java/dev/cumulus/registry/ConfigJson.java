package dev.cumulus.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** FunctionConfig as stored in the TEXT {@code config} columns. */
final class ConfigJson {
    // Rows written by a newer node may carry fields this one does not know; they must still load.
    private static final ObjectMapper MAPPER =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ConfigJson() {}

    static String write(FunctionConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("FunctionConfig always serialises", e);
        }
    }

    static FunctionConfig read(String json) {
        try {
            return MAPPER.readValue(json, FunctionConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored function config is not valid JSON: " + json, e);
        }
    }
}
