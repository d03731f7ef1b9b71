package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code PUT collections/{c}} sets: access rules, declared indexes, an optional JSON Schema
 * (draft 2020-12) every written document must meet, the topic change events go to, and how
 * many documents a collection may hold before unindexed queries are refused.
 */
final class CollectionSettings {
    static final int DEFAULT_SCAN_THRESHOLD = 1000;
    static final int MAX_INDEXES = 64;
    private static final Set<String> FIELDS = Set.of("rules", "indexes", "schema", "changesTopic", "scanThreshold");
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    final JsonNode json;
    final Rules rules;
    final List<FieldPath> indexes;
    final JsonSchema schema;
    final String changesTopic;
    final int scanThreshold;

    private CollectionSettings(JsonNode json, Rules rules, List<FieldPath> indexes, JsonSchema schema,
            String changesTopic, int scanThreshold) {
        this.json = json;
        this.rules = rules;
        this.indexes = indexes;
        this.schema = schema;
        this.changesTopic = changesTopic;
        this.scanThreshold = scanThreshold;
    }

    static CollectionSettings parse(JsonNode node) {
        if (node == null || node.isNull()) {
            node = Json.MAPPER.createObjectNode();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("InvalidSettings", "collection settings must be a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("InvalidSettings", "unknown setting '" + name
                        + "'; a collection has rules, indexes, schema, changesTopic and scanThreshold");
            }
        }
        Rules rules = Rules.compile(node.get("rules"));
        Set<String> seen = new LinkedHashSet<>();
        List<FieldPath> indexes = new ArrayList<>();
        JsonNode ix = node.get("indexes");
        if (ix != null && !ix.isNull()) {
            if (!ix.isArray() || ix.size() > MAX_INDEXES) {
                throw ApiException.badRequest("InvalidSettings", "indexes must be an array of at most " + MAX_INDEXES
                        + " field paths");
            }
            for (int i = 0; i < ix.size(); i++) {
                if (!ix.get(i).isTextual()) {
                    throw ApiException.badRequest("InvalidSettings", "indexes[" + i + "] must be a field path string");
                }
                FieldPath p = FieldPath.parse(ix.get(i).asText(), "indexes[" + i + "]");
                if (seen.add(p.dotted())) {
                    indexes.add(p);
                }
            }
        }
        JsonSchema schema = null;
        JsonNode s = node.get("schema");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                throw ApiException.badRequest("InvalidSchema", "schema must be a JSON Schema object");
            }
            requireLocalRefs(s, "schema");
            try {
                schema = SCHEMAS.getSchema(s);
                schema.initializeValidators();
            } catch (RuntimeException e) {
                throw ApiException.badRequest("InvalidSchema", "schema is not a usable JSON Schema: " + e.getMessage());
            }
        }
        String topic = null;
        JsonNode t = node.get("changesTopic");
        if (t != null && !t.isNull()) {
            if (!t.isTextual() || !TOPIC.matcher(t.asText()).matches()) {
                throw ApiException.badRequest("InvalidSettings", "changesTopic must be a topic name");
            }
            topic = t.asText();
        }
        int threshold = DEFAULT_SCAN_THRESHOLD;
        JsonNode st = node.get("scanThreshold");
        if (st != null && !st.isNull()) {
            if (!st.isIntegralNumber() || st.asLong() < 0 || st.asLong() > 1_000_000) {
                throw ApiException.badRequest("InvalidSettings", "scanThreshold must be an integer from 0 to 1000000");
            }
            threshold = st.asInt();
        }
        return new CollectionSettings(node, rules, List.copyOf(indexes), schema, topic, threshold);
    }

    /** A schema may not reach out of the node: {@code $ref}s point inside the schema only. */
    private static void requireLocalRefs(JsonNode node, String at) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.isTextual() || !ref.asText().startsWith("#"))) {
                throw ApiException.badRequest("InvalidSchema", at + ".$ref must point inside the schema (#...); "
                        + "a collection's schema does not load others");
            }
            node.properties().forEach(e -> requireLocalRefs(e.getValue(), at + "." + e.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireLocalRefs(node.get(i), at + "[" + i + "]");
            }
        }
    }

    /** 400 naming the first fields that break the schema. */
    void validate(JsonNode data) {
        if (schema == null) {
            return;
        }
        Set<ValidationMessage> errors = schema.validate(data);
        if (!errors.isEmpty()) {
            List<String> messages = errors.stream().limit(10).map(ValidationMessage::getMessage).toList();
            List<String> fields = errors.stream().limit(10).map(m -> String.valueOf(m.getInstanceLocation())).toList();
            throw new ApiException(400, "SchemaViolation", "the document does not match the collection's schema: "
                    + String.join("; ", messages), java.util.Map.of("violations", messages, "fields", fields));
        }
    }

    boolean indexed(String field) {
        return indexes.stream().anyMatch(p -> p.dotted().equals(field));
    }

    ObjectNode view() {
        return json.deepCopy();
    }
}
