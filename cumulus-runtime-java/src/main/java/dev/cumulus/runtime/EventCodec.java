package dev.cumulus.runtime;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/** Event bytes to the handler's input type, and its result back to JSON bytes. */
final class EventCodec {
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private EventCodec() {}

    /**
     * A {@code String} input gets the value of a JSON string event and the raw text of any other
     * event, so a handler can take an arbitrary payload as text. An empty event is JSON null.
     */
    static Object decode(byte[] event, Type type) {
        int first = firstNonWhitespace(event);
        if (first < 0) {
            return JsonBinder.bind(null, type);
        }
        if (Types.raw(Types.erasedIfVariable(type)) == String.class) {
            return event[first] == '"' ? JsonParser.parse(event) : JsonParser.decodeUtf8(event);
        }
        Object tree;
        try {
            tree = JsonParser.parse(event);
        } catch (JsonException e) {
            throw new JsonException("The event is not valid JSON: " + e.getMessage(), e);
        }
        return JsonBinder.bind(tree, type);
    }

    static byte[] encode(Object result) {
        return result == null ? NULL.clone() : JsonWriter.writeUtf8(JsonUnbinder.toTree(result));
    }

    /** A Lambda handler's result, written as Lambda's serialiser writes it: null properties left out. */
    static byte[] encodeForLambda(Object result) {
        return result == null ? NULL.clone() : JsonWriter.writeUtf8(JsonUnbinder.toTreeOmittingNulls(result));
    }

    private static int firstNonWhitespace(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return i;
            }
        }
        return -1;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
