package dev.cumulus.runtime;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the binder needs to know about one class: how to create it and which properties it reads
 * and writes. Computed once per class and only on the side that is used, since a cold start pays
 * for every reflective lookup.
 *
 * <p>Property names follow Jackson's defaults ({@code getURL()} is {@code "url"}) so an event
 * class written for Lambda binds the same way here.
 */
final class Beans {
    private static final ClassValue<Beans> CACHE = new ClassValue<>() {
        @Override
        protected Beans computeValue(Class<?> type) {
            return new Beans(type);
        }
    };

    /** One thing that can be read from an instance: a record accessor, a getter or a public field. */
    record Getter(String name, Method method, Field field) {
        Object get(Object target) {
            try {
                return method != null ? method.invoke(target) : field.get(target);
            } catch (InvocationTargetException e) {
                throw new JsonException("getter " + name + " threw " + e.getCause(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new JsonException("cannot read property " + name, e);
            }
        }
    }

    /** One thing that can be written into an instance: a setter or a public field. */
    record Setter(String name, Type type, Method method, Field field) {
        void set(Object target, Object value) {
            try {
                if (method != null) {
                    method.invoke(target, value);
                } else {
                    field.set(target, value);
                }
            } catch (InvocationTargetException e) {
                throw new JsonException("setter of " + name + " threw " + e.getCause(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new JsonException("cannot write property " + name, e);
            }
        }
    }

    /**
     * A constructor that takes the class's properties by position: the first {@code names.length}
     * instance fields, supertypes first, in declaration order.
     */
    record FieldCreator(Constructor<?> constructor, String[] names, Type[] types) {}

    private static final Method NO_PARSER;
    private static final FieldCreator NO_FIELD_CREATOR = new FieldCreator(null, new String[0], new Type[0]);
    private static final String LAMBDA_EVENTS = "com.amazonaws.services.lambda.runtime.events.";

    static {
        try {
            NO_PARSER = Object.class.getMethod("toString");
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Class<?> type;
    // Lazily filled; a racing double computation yields equal immutable values, so no locking.
    private List<Getter> getters;
    private Map<String, Setter> setters;
    private Map<String, Setter> looseSetters;
    private Constructor<?> creator;
    /** {@link #NO_FIELD_CREATOR} once looked up and absent: one field, so a racing reader never sees half of it. */
    private FieldCreator fieldCreator;
    private Method parser;

    private Beans(Class<?> type) {
        this.type = type;
    }

    static Beans of(Class<?> type) {
        return CACHE.get(type);
    }

    /** The canonical constructor of a record, or the no-argument constructor of anything else. */
    Constructor<?> creator() {
        Constructor<?> c = creator;
        if (c == null) {
            try {
                if (type.isRecord()) {
                    RecordComponent[] components = type.getRecordComponents();
                    Class<?>[] params = new Class<?>[components.length];
                    for (int i = 0; i < params.length; i++) {
                        params[i] = components[i].getType();
                    }
                    c = type.getDeclaredConstructor(params);
                } else {
                    c = type.getDeclaredConstructor();
                }
            } catch (NoSuchMethodException e) {
                throw new JsonException(type.getName() + " has no no-argument constructor");
            }
            accessible(c);
            creator = c;
        }
        return c;
    }

    Object instantiate(Object... args) {
        try {
            return creator().newInstance(args);
        } catch (InvocationTargetException e) {
            throw new JsonException("constructor of " + type.getName() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new JsonException("cannot create " + type.getName() + ": " + e, e);
        }
    }

    /** Readable properties in Jackson's order: declared field order (supertypes first), then the rest. */
    List<Getter> getters() {
        List<Getter> g = getters;
        if (g == null) {
            g = type.isRecord() ? recordGetters() : beanGetters();
            getters = g;
        }
        return g;
    }

    /**
     * The setter for a JSON key: the property of that exact name; in Lambda's event classes
     * (see {@link #looseNames}) else the one whose name has the same letters and digits ignoring
     * case, so {@code Records}, {@code eventSourceARN} and {@code detail-type} find
     * {@code setRecords}, {@code setEventSourceArn} and {@code setDetailType}. Lambda's serialiser
     * reaches them through renamings declared class by class; one rule covers them all.
     */
    Setter setter(String key) {
        Setter s = setters().get(key);
        if (s != null || !looseNames()) {
            return s;
        }
        Map<String, Setter> loose = looseSetters;
        if (loose == null) {
            loose = new HashMap<>();
            for (Setter candidate : setters().values()) {
                loose.putIfAbsent(loose(candidate.name()), candidate);
            }
            loose = Map.copyOf(loose);
            looseSetters = loose;
        }
        return loose.get(loose(key));
    }

    /**
     * True for the classes of aws-lambda-java-events, whose JSON names differ from their Java
     * property names in case and punctuation. Everything else binds by exact name, as Jackson
     * and Lambda's serialiser bind user classes.
     */
    boolean looseNames() {
        return type.getName().startsWith(LAMBDA_EVENTS);
    }

    /** A property name reduced to lower-case letters and digits, for {@link #setter(String)}. */
    static String loose(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /**
     * How to build an immutable class, one with no no-argument constructor or nothing to set: its
     * public constructor with the most parameters that line up with its instance fields (the
     * pattern of the S3 event classes). Null when the class is built through setters.
     */
    FieldCreator fieldCreator() {
        FieldCreator known = fieldCreator;
        if (known != null) {
            return known == NO_FIELD_CREATOR ? null : known;
        }
        FieldCreator found = null;
        boolean noArg = false;
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            noArg |= c.getParameterCount() == 0;
        }
        if (!noArg || setters().isEmpty()) {
            List<Field> fields = instanceFields();
            Constructor<?> best = null;
            for (Constructor<?> c : type.getConstructors()) {
                int n = c.getParameterCount();
                if (n > 0 && n <= fields.size() && (best == null || n > best.getParameterCount()
                        || (n == best.getParameterCount() && typeMatches(c, fields) > typeMatches(best, fields)))) {
                    best = c;
                }
            }
            if (best != null) {
                String[] names = new String[best.getParameterCount()];
                for (int i = 0; i < names.length; i++) {
                    names[i] = fields.get(i).getName();
                }
                found = new FieldCreator(accessible(best), names, best.getGenericParameterTypes());
            }
        }
        fieldCreator = found == null ? NO_FIELD_CREATOR : found;
        return found;
    }

    private static int typeMatches(Constructor<?> c, List<Field> fields) {
        Class<?>[] params = c.getParameterTypes();
        int matches = 0;
        for (int i = 0; i < params.length; i++) {
            matches += params[i] == fields.get(i).getType() ? 1 : 0;
        }
        return matches;
    }

    /** The class and its superclasses below Object, supertypes first. */
    private List<Class<?>> hierarchy() {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        return chain;
    }

    private List<Field> instanceFields() {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : hierarchy()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    /**
     * A public static {@code parse(String)} or {@code parse(CharSequence)} returning the class
     * itself, or null: such a class is a value carried as a string (Joda's {@code DateTime} in the
     * Lambda event classes), read through {@code parse} and written as its {@code toString()}.
     */
    Method parser() {
        Method p = parser;
        if (p == null) {
            p = NO_PARSER;
            if (!type.isInterface() && !type.isArray() && !type.isPrimitive()) {
                for (Class<?> argument : new Class<?>[] {String.class, CharSequence.class}) {
                    try {
                        Method m = type.getMethod("parse", argument);
                        if (Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType())) {
                            p = accessible(m);
                            break;
                        }
                    } catch (NoSuchMethodException | SecurityException ignored) {
                        // not a value type
                    }
                }
            }
            parser = p;
        }
        return p == NO_PARSER ? null : p;
    }

    Map<String, Setter> setters() {
        Map<String, Setter> s = setters;
        if (s == null) {
            s = beanSetters();
            setters = s;
        }
        return s;
    }

    private List<Getter> recordGetters() {
        List<Getter> list = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            list.add(new Getter(c.getName(), accessible(c.getAccessor()), null));
        }
        return List.copyOf(list);
    }

    private List<Getter> beanGetters() {
        Map<String, Getter> byName = new HashMap<>();
        for (Field f : type.getFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) && !Modifier.isTransient(m)) {
                byName.put(f.getName(), new Getter(f.getName(), null, accessible(f)));
            }
        }
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.isBridge()
                    || m.getReturnType() == void.class || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            String property = null;
            if (name.startsWith("get") && name.length() > 3) {
                property = mangle(name.substring(3));
            } else if (name.startsWith("is") && name.length() > 2 && m.getReturnType() == boolean.class) {
                property = mangle(name.substring(2));
            }
            if (property != null) {
                byName.put(property, new Getter(property, accessible(m), null));
            }
        }
        List<Getter> ordered = new ArrayList<>(byName.size());
        for (String field : declaredFieldNames()) {
            Getter g = byName.remove(field);
            if (g != null) {
                ordered.add(g);
            }
        }
        List<String> rest = new ArrayList<>(byName.keySet());
        Collections.sort(rest);
        for (String name : rest) {
            ordered.add(byName.get(name));
        }
        return List.copyOf(ordered);
    }

    private List<String> declaredFieldNames() {
        List<String> names = new ArrayList<>();
        for (Class<?> c : hierarchy()) {
            for (Field f : c.getDeclaredFields()) {
                names.add(f.getName());
            }
        }
        return names;
    }

    private Map<String, Setter> beanSetters() {
        Map<String, Setter> byName = new LinkedHashMap<>();
        for (Field f : type.getFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) && !Modifier.isFinal(m) && !Modifier.isTransient(m)) {
                byName.put(f.getName(), new Setter(f.getName(), f.getGenericType(), null, accessible(f)));
            }
        }
        // Setters win over fields of the same name, as in Jackson.
        for (Method m : type.getMethods()) {
            String name = m.getName();
            if (!Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1 && !m.isBridge()
                    && name.startsWith("set") && name.length() > 3) {
                String property = mangle(name.substring(3));
                byName.put(property, new Setter(property, m.getGenericParameterTypes()[0], accessible(m), null));
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    /** Jackson's default naming: lower-case the leading run of capitals ({@code URLValue -> urlvalue}). */
    static String mangle(String base) {
        int i = 0;
        while (i < base.length() && Character.isUpperCase(base.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return base;
        }
        return base.substring(0, i).toLowerCase(java.util.Locale.ROOT) + base.substring(i);
    }

    /** Public members of a non-public class (a nested record in the handler) still need this. */
    private static <T extends AccessibleObject> T accessible(T member) {
        member.trySetAccessible();
        return member;
    }
}
