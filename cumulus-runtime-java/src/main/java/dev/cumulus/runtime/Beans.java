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

    private final Class<?> type;
    // Lazily filled; a racing double computation yields equal immutable values, so no locking.
    private List<Getter> getters;
    private Map<String, Setter> setters;
    private Constructor<?> creator;

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
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        List<String> names = new ArrayList<>();
        for (Class<?> c : chain) {
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
