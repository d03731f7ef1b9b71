package dev.cumulus.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Binds a parsed JSON tree to a Java type: records, POJOs, collections, maps, arrays, enums,
 * primitives and their boxes, {@code String} and a few value types. Unknown properties are
 * ignored and missing ones stay at their defaults, because events grow fields over time.
 * Scalars are coerced the way Jackson does by default (a JSON string "42" binds to an int).
 */
final class JsonBinder {
    private JsonBinder() {}

    static Object bind(Object node, Type type) {
        try {
            return bindAt(node, type);
        } catch (Located e) {
            throw new JsonException("Cannot bind $" + e.path + " to " + e.target + ": " + e.problem, e.getCause());
        } catch (JsonException e) {
            throw new JsonException("Cannot bind $ to " + type.getTypeName() + ": " + e.getMessage(), e.getCause());
        } catch (ArithmeticException | NumberFormatException e) {
            throw new JsonException("Cannot bind $ to " + type.getTypeName() + ": out of range or not a number", e);
        }
    }

    private static Object bindAt(Object node, Type type) {
        type = Types.erasedIfVariable(type);
        Class<?> raw = Types.raw(type);
        if (raw == Object.class) {
            return node;
        }
        if (node == null) {
            return raw == Optional.class ? Optional.empty() : raw.isPrimitive() ? zero(raw) : null;
        }
        if (raw == String.class) {
            return node instanceof String s ? s : node instanceof Map || node instanceof List
                    ? JsonWriter.write(node) : node.toString();
        }
        if (raw.isPrimitive() || raw == Boolean.class || raw == Character.class || Number.class.isAssignableFrom(raw)) {
            return scalar(node, raw);
        }
        if (raw.isEnum()) {
            return enumConstant(node, raw);
        }
        if (raw.isArray()) {
            return array(node, type, raw);
        }
        if (Map.class.isAssignableFrom(raw)) {
            return map(node, type, raw);
        }
        if (Collection.class.isAssignableFrom(raw) || raw == Iterable.class) {
            return collection(node, type, raw);
        }
        if (raw == Optional.class) {
            return Optional.ofNullable(bindAt(node, Types.argument(type, 0)));
        }
        Object value = valueType(node, raw);
        if (value != null) {
            return value;
        }
        if (node instanceof String s && !raw.isInterface()) {
            Method parse = Beans.of(raw).parser();
            if (parse != null) {
                return parsed(parse, s, raw);
            }
        }
        if (!(node instanceof Map<?, ?> object)) {
            throw new JsonException("expected a JSON object, found " + kind(node));
        }
        if (raw.isRecord()) {
            return record(object, type, raw);
        }
        if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            throw new JsonException(raw.getName() + " is abstract; declare a concrete type");
        }
        return pojo(object, type, raw);
    }

    private static Object record(Map<?, ?> object, Type type, Class<?> raw) {
        Map<TypeVariable<?>, Type> bindings = Types.hierarchyBindings(type);
        RecordComponent[] components = raw.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            String name = components[i].getName();
            try {
                args[i] = bindAt(object.get(name), Types.resolve(components[i].getGenericType(), bindings));
            } catch (RuntimeException e) {
                throw located(e, "." + name, components[i].getGenericType());
            }
        }
        return Beans.of(raw).instantiate(args);
    }

    /** The value of the key {@code name}, else of the key that matches it loosely where allowed (see {@link Beans#setter}). */
    private static Object property(Map<?, ?> object, String name, Beans beans) {
        Object value = object.get(name);
        if (value != null || object.containsKey(name) || !beans.looseNames()) {
            return value;
        }
        String loose = Beans.loose(name);
        for (Map.Entry<?, ?> e : object.entrySet()) {
            if (Beans.loose((String) e.getKey()).equals(loose)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** An immutable class, built through the constructor that takes its fields (see {@link Beans#fieldCreator}). */
    private static Object construct(Map<?, ?> object, Type type, Beans beans, Beans.FieldCreator creator) {
        Map<TypeVariable<?>, Type> bindings = Types.hierarchyBindings(type);
        Object[] args = new Object[creator.names().length];
        for (int i = 0; i < args.length; i++) {
            String name = creator.names()[i];
            Type paramType = Types.resolve(creator.types()[i], bindings);
            try {
                Object node = property(object, name, beans);
                args[i] = node == null && beans.looseNames() ? absentInEvent(paramType) : bindAt(node, paramType);
            } catch (RuntimeException e) {
                throw located(e, "." + name, creator.types()[i]);
            }
        }
        try {
            return creator.constructor().newInstance(args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new JsonException("constructor of " + type.getTypeName() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new JsonException("cannot create " + type.getTypeName() + ": " + e, e);
        }
    }

    /**
     * What Lambda's serialiser gives the immutable event classes (the S3 notification's) for a
     * property the document lacks: an empty string, a zero, an entity with all of that, not null.
     */
    private static Object absentInEvent(Type type) {
        Class<?> raw = Types.raw(Types.erasedIfVariable(type));
        if (raw == String.class) {
            return "";
        }
        if (raw.isPrimitive() || Number.class.isAssignableFrom(raw)) {
            return raw == boolean.class ? Boolean.FALSE : scalar(0, raw);
        }
        if (Beans.of(raw).looseNames() && Beans.of(raw).fieldCreator() != null) {
            return bindAt(Map.of(), type);
        }
        return null;
    }

    private static Object parsed(Method parse, String text, Class<?> raw) {
        try {
            return parse.invoke(null, text);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new JsonException("\"" + text + "\" is not a valid " + raw.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new JsonException("cannot parse " + raw.getName() + ": " + e, e);
        }
    }

    private static Object pojo(Map<?, ?> object, Type type, Class<?> raw) {
        Beans beans = Beans.of(raw);
        Beans.FieldCreator creator = beans.fieldCreator();
        if (creator != null) {
            return construct(object, type, beans, creator);
        }
        Object target = beans.instantiate();
        Map<TypeVariable<?>, Type> bindings = null;
        for (Map.Entry<?, ?> e : object.entrySet()) {
            Beans.Setter setter = beans.setter((String) e.getKey());
            if (setter == null) {
                continue;
            }
            if (bindings == null) {
                bindings = Types.hierarchyBindings(type);
            }
            Object value;
            try {
                value = bindAt(e.getValue(), Types.resolve(setter.type(), bindings));
            } catch (RuntimeException ex) {
                throw located(ex, "." + setter.name(), setter.type());
            }
            setter.set(target, value);
        }
        return target;
    }

    private static Object array(Object node, Type type, Class<?> raw) {
        Class<?> componentClass = raw.getComponentType();
        if (componentClass == byte.class && node instanceof String s) {
            return Base64.getMimeDecoder().decode(s); // Jackson writes byte[] as base64
        }
        List<?> list = requireList(node);
        Type component = type instanceof java.lang.reflect.GenericArrayType g ? g.getGenericComponentType() : componentClass;
        Object array = Array.newInstance(componentClass, list.size());
        for (int i = 0; i < list.size(); i++) {
            Array.set(array, i, element(list.get(i), component, i));
        }
        return array;
    }

    @SuppressWarnings("unchecked")
    private static Object collection(Object node, Type type, Class<?> raw) {
        List<?> list = requireList(node);
        Type elementType = raw == Iterable.class ? Types.argument(type, 0) : Types.typeArgumentOf(type, Collection.class, 0);
        Collection<Object> result;
        if (raw.isAssignableFrom(ArrayList.class)) {
            result = new ArrayList<>(list.size());
        } else if (raw.isAssignableFrom(LinkedHashSet.class)) {
            result = new LinkedHashSet<>();
        } else if (raw == SortedSet.class || raw == NavigableSet.class) {
            result = new TreeSet<>();
        } else if (raw == Queue.class || raw == java.util.Deque.class) {
            result = new ArrayDeque<>();
        } else if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            throw new JsonException("no known implementation of " + raw.getName());
        } else {
            result = (Collection<Object>) Beans.of(raw).instantiate();
        }
        for (int i = 0; i < list.size(); i++) {
            result.add(element(list.get(i), elementType, i));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object map(Object node, Type type, Class<?> raw) {
        if (!(node instanceof Map<?, ?> object)) {
            throw new JsonException("expected a JSON object, found " + kind(node));
        }
        Type keyType = Types.typeArgumentOf(type, Map.class, 0);
        Type valueType = Types.typeArgumentOf(type, Map.class, 1);
        Class<?> rawKey = Types.raw(Types.erasedIfVariable(keyType));
        if (object instanceof LinkedHashMap && raw.isAssignableFrom(LinkedHashMap.class)
                && (rawKey == String.class || rawKey == Object.class)
                && Types.raw(Types.erasedIfVariable(valueType)) == Object.class) {
            // Map<String, Object>, the commonest event type: the parsed object is already that
            // map, as nested objects bound to Object already are; a copy would be the same
            return object;
        }
        Map<Object, Object> result;
        if (raw.isAssignableFrom(LinkedHashMap.class)) {
            result = new LinkedHashMap<>();
        } else if (raw == SortedMap.class || raw == NavigableMap.class) {
            result = new TreeMap<>();
        } else if (raw.isInterface() || Modifier.isAbstract(raw.getModifiers())) {
            throw new JsonException("no known implementation of " + raw.getName());
        } else {
            result = (Map<Object, Object>) Beans.of(raw).instantiate();
        }
        for (Map.Entry<?, ?> e : object.entrySet()) {
            String name = (String) e.getKey();
            Object key = rawKey == String.class || rawKey == Object.class ? name : bindAt(name, keyType);
            try {
                result.put(key, bindAt(e.getValue(), valueType));
            } catch (RuntimeException ex) {
                throw located(ex, "." + name, valueType);
            }
        }
        return result;
    }

    private static Object element(Object node, Type type, int index) {
        try {
            return bindAt(node, type);
        } catch (RuntimeException e) {
            throw located(e, "[" + index + "]", type);
        }
    }

    private static Object scalar(Object node, Class<?> raw) {
        if (raw == boolean.class || raw == Boolean.class) {
            if (node instanceof Boolean) {
                return node;
            }
            if ("true".equals(node) || "false".equals(node)) {
                return Boolean.valueOf((String) node);
            }
            throw new JsonException("expected a boolean, found " + kind(node));
        }
        if (raw == char.class || raw == Character.class) {
            if (node instanceof String s && s.length() == 1) {
                return s.charAt(0);
            }
            throw new JsonException("expected a one-character string, found " + kind(node));
        }
        if (raw == Number.class && node instanceof Number) {
            return node;
        }
        if (raw == int.class || raw == Integer.class) {
            return node instanceof Integer ? node : exact(node, raw).intValueExact();
        }
        if (raw == long.class || raw == Long.class) {
            return node instanceof Integer || node instanceof Long ? ((Number) node).longValue()
                    : exact(node, raw).longValueExact();
        }
        if (raw == double.class || raw == Double.class) {
            return node instanceof Number n ? n.doubleValue() : Double.parseDouble(numericText(node));
        }
        if (raw == float.class || raw == Float.class) {
            return node instanceof Number n ? n.floatValue() : Float.parseFloat(numericText(node));
        }
        if (raw == short.class || raw == Short.class) {
            return exact(node, raw).shortValueExact();
        }
        if (raw == byte.class || raw == Byte.class) {
            return exact(node, raw).byteValueExact();
        }
        if (raw == BigDecimal.class) {
            return decimal(node);
        }
        if (raw == BigInteger.class) {
            return exact(node, raw).toBigIntegerExact();
        }
        throw new JsonException("unsupported number type " + raw.getName());
    }

    /** The value as a BigDecimal whose {@code xxxValueExact()} then reports an overflow. */
    private static BigDecimal exact(Object node, Class<?> raw) {
        BigDecimal d = decimal(node);
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            throw new JsonException("expected an integer, found " + node);
        }
        return d;
    }

    private static BigDecimal decimal(Object node) {
        if (node instanceof BigDecimal d) {
            return d;
        }
        if (node instanceof Integer || node instanceof Long) {
            return BigDecimal.valueOf(((Number) node).longValue());
        }
        if (node instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (node instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new JsonException(d + " is not a number");
            }
            return BigDecimal.valueOf(d);
        }
        try {
            return new BigDecimal(numericText(node).trim());
        } catch (NumberFormatException e) {
            throw new JsonException("expected a number, found string \"" + node + "\"");
        }
    }

    private static String numericText(Object node) {
        if (node instanceof String s) {
            return s;
        }
        throw new JsonException("expected a number, found " + kind(node));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Object node, Class<?> raw) {
        Object[] constants = raw.getEnumConstants();
        if (node instanceof String s) {
            for (Object c : constants) {
                if (((Enum) c).name().equals(s)) {
                    return c;
                }
            }
            throw new JsonException("\"" + s + "\" is not one of " + java.util.Arrays.toString(constants));
        }
        if (node instanceof Integer i && i >= 0 && i < constants.length) {
            return constants[i];
        }
        throw new JsonException("expected one of " + java.util.Arrays.toString(constants) + ", found " + kind(node));
    }

    /** Common value types that JSON carries as strings; null when {@code raw} is not one of them. */
    private static Object valueType(Object node, Class<?> raw) {
        if (raw == ByteBuffer.class && node instanceof String s) {
            return ByteBuffer.wrap(Base64.getMimeDecoder().decode(s)); // as Lambda's Kinesis events carry data
        }
        if (raw != UUID.class && raw != URI.class && raw != Instant.class && raw != LocalDate.class
                && raw != LocalDateTime.class && raw != OffsetDateTime.class && raw != Duration.class) {
            return null;
        }
        if (!(node instanceof String s)) {
            throw new JsonException("expected a string, found " + kind(node));
        }
        try {
            if (raw == UUID.class) {
                return UUID.fromString(s);
            }
            if (raw == URI.class) {
                return new URI(s);
            }
            if (raw == Instant.class) {
                return Instant.parse(s);
            }
            if (raw == LocalDate.class) {
                return LocalDate.parse(s);
            }
            if (raw == LocalDateTime.class) {
                return LocalDateTime.parse(s);
            }
            if (raw == OffsetDateTime.class) {
                return OffsetDateTime.parse(s);
            }
            return Duration.parse(s);
        } catch (Exception e) {
            throw new JsonException("\"" + s + "\" is not a valid " + raw.getSimpleName());
        }
    }

    private static List<?> requireList(Object node) {
        if (node instanceof List<?> list) {
            return list;
        }
        throw new JsonException("expected a JSON array, found " + kind(node));
    }

    private static Object zero(Class<?> primitive) {
        return Array.get(Array.newInstance(primitive, 1), 0);
    }

    static String kind(Object node) {
        if (node == null) {
            return "null";
        }
        if (node instanceof Map) {
            return "an object";
        }
        if (node instanceof List) {
            return "an array";
        }
        if (node instanceof String s) {
            return "string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return node.toString();
    }

    /** Carries the JSON path of a failure outwards without formatting it on every level. */
    private static final class Located extends RuntimeException {
        final String path;
        final String target;
        final String problem;

        Located(String path, String target, String problem, Throwable cause) {
            super(problem, cause, false, false);
            this.path = path;
            this.target = target;
            this.problem = problem;
        }
    }

    private static Located located(RuntimeException e, String segment, Type type) {
        if (e instanceof Located l) {
            return new Located(segment + l.path, l.target, l.problem, l.getCause());
        }
        if (e instanceof ArithmeticException || e instanceof NumberFormatException) {
            return new Located(segment, type.getTypeName(), "out of range or not a number", e);
        }
        return new Located(segment, type.getTypeName(), e.getMessage(), e.getCause() != null ? e.getCause() : e);
    }
}
