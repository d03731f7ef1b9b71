package dev.cumulus.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes a tree made of {@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}
 * and {@code null} (what {@link JsonParser} produces and {@link JsonUnbinder} builds) as compact
 * JSON, escaping the way Jackson does so outputs are byte-for-byte familiar.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {}

    static byte[] writeUtf8(Object tree) {
        return write(tree).getBytes(StandardCharsets.UTF_8);
    }

    static String write(Object tree) {
        StringBuilder sb = new StringBuilder(64);
        write(tree, sb, 0);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb, int depth) {
        if (depth > JsonParser.MAX_DEPTH) {
            throw new JsonException("nesting deeper than " + JsonParser.MAX_DEPTH + " (a cycle?)");
        }
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            writeString(s, sb);
        } else if (value instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (value instanceof Number n) {
            writeNumber(n, sb);
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeString(String.valueOf(e.getKey()), sb);
                sb.append(':');
                write(e.getValue(), sb, depth + 1);
            }
            sb.append('}');
        } else if (value instanceof List<?> list) {
            sb.append('[');
            for (int i = 0, n = list.size(); i < n; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(list.get(i), sb, depth + 1);
            }
            sb.append(']');
        } else {
            throw new JsonException("not a JSON tree node: " + value.getClass().getName());
        }
    }

    private static void writeNumber(Number n, StringBuilder sb) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                // RFC 8259 has no spelling for these; failing beats sending text no parser accepts.
                throw new JsonException(d + " cannot be represented in JSON");
            }
            sb.append(n instanceof Float ? Float.toString(n.floatValue()) : Double.toString(d));
        } else if (n instanceof Integer || n instanceof Long || n instanceof Short
                || n instanceof Byte || n instanceof BigInteger || n instanceof BigDecimal) {
            sb.append(n.toString());
        } else {
            // AtomicLong, LongAdder and friends print as plain numbers; anything else is checked.
            String s = n.toString();
            try {
                new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw new JsonException("number " + s + " of " + n.getClass().getName() + " is not JSON");
            }
            sb.append(s);
        }
    }

    static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        int start = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            sb.append(s, start, i);
            start = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        sb.append(s, start, s.length()).append('"');
    }
}
