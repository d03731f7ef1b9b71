package dev.cumulus.runtime;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a handler's result into a JSON tree for {@link JsonWriter}, the way Jackson's defaults
 * would: records by component, POJOs by public getter and public field (nulls included),
 * enums by name, {@code byte[]} as base64. Value types such as {@code UUID} and {@code java.time}
 * write their {@code toString()}, which is what every JSON consumer expects of them.
 */
final class JsonUnbinder {
    private JsonUnbinder() {}

    static Object toTree(Object value) {
        return toTree(value, 0, false);
    }

    /**
     * As {@link #toTree(Object)} but leaving out null properties and null map values (not null
     * list elements), as Lambda's serialiser does with what a Lambda handler returns.
     */
    static Object toTreeOmittingNulls(Object value) {
        return toTree(value, 0, true);
    }

    private static Object toTree(Object value, int depth, boolean omitNulls) {
        if (depth > JsonParser.MAX_DEPTH) {
            throw new JsonException("object graph deeper than " + JsonParser.MAX_DEPTH + " (a cycle?)");
        }
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return n instanceof Integer || n instanceof Long || n instanceof Double || n instanceof BigDecimal
                    || n instanceof BigInteger || n instanceof Float || n instanceof Short || n instanceof Byte
                    ? n : new BigDecimal(n.toString());
        }
        if (value instanceof Character || value instanceof UUID || value instanceof URI || value instanceof URL
                || value instanceof TemporalAccessor || value instanceof TemporalAmount || value instanceof ZoneId
                || value instanceof Path) {
            return value.toString();
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Optional<?> o) {
            return toTree(o.orElse(null), depth + 1, omitNulls);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> tree = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object key = e.getKey();
                if (omitNulls && e.getValue() == null) {
                    continue;
                }
                tree.put(key instanceof Enum<?> k ? k.name() : String.valueOf(key), toTree(e.getValue(), depth + 1, omitNulls));
            }
            return tree;
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof Iterable<?> iterable) {
            List<Object> tree = new ArrayList<>();
            for (Object o : iterable) {
                tree.add(toTree(o, depth + 1, omitNulls));
            }
            return tree;
        }
        Class<?> type = value.getClass();
        if (type.isArray()) {
            int n = Array.getLength(value);
            List<Object> tree = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                tree.add(toTree(Array.get(value, i), depth + 1, omitNulls));
            }
            return tree;
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        Beans beans = Beans.of(type);
        if (!type.isRecord() && beans.parser() != null) {
            return value.toString();
        }
        Map<String, Object> tree = new LinkedHashMap<>();
        for (Beans.Getter g : beans.getters()) {
            Object property = g.get(value);
            if (property != null || !omitNulls) {
                tree.put(g.name(), toTree(property, depth + 1, omitNulls));
            }
        }
        return tree;
    }
}
