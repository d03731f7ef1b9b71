package dev.cumulus.runtime;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.HashMap;
import java.util.Map;

/** Just enough generic-type algebra to find a handler's event type and bind generic fields. */
final class Types {
    private Types() {}

    static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType g) {
            return raw(g.getGenericComponentType()).arrayType();
        }
        if (type instanceof WildcardType w) {
            return raw(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> v) {
            return raw(v.getBounds()[0]);
        }
        return Object.class;
    }

    /** Type arguments of {@code type}, or an empty array for a raw or non-generic type. */
    static Type[] arguments(Type type) {
        return type instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[0];
    }

    /** The {@code index}th type argument, or Object when the type is raw. */
    static Type argument(Type type, int index) {
        Type[] args = arguments(type);
        return index < args.length ? args[index] : Object.class;
    }

    /** Variable bindings of a parameterized type, e.g. {@code T -> String} for {@code Page<String>}. */
    static Map<TypeVariable<?>, Type> bindings(Type type) {
        Map<TypeVariable<?>, Type> map = new HashMap<>();
        if (type instanceof ParameterizedType p) {
            TypeVariable<?>[] vars = ((Class<?>) p.getRawType()).getTypeParameters();
            Type[] args = p.getActualTypeArguments();
            for (int i = 0; i < vars.length; i++) {
                map.put(vars[i], args[i]);
            }
        }
        return map;
    }

    /** Substitutes bound variables inside {@code type}; unbound ones are left as they are. */
    static Type resolve(Type type, Map<TypeVariable<?>, Type> bindings) {
        if (bindings.isEmpty()) {
            return type;
        }
        if (type instanceof TypeVariable<?> v) {
            Type bound = bindings.get(v);
            return bound != null ? bound : v;
        }
        if (type instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments().clone();
            boolean changed = false;
            for (int i = 0; i < args.length; i++) {
                Type r = resolve(args[i], bindings);
                changed |= r != args[i];
                args[i] = r;
            }
            return changed ? new Parameterized((Class<?>) p.getRawType(), args, p.getOwnerType()) : p;
        }
        if (type instanceof GenericArrayType g) {
            Type component = resolve(g.getGenericComponentType(), bindings);
            return component instanceof Class<?> c ? c.arrayType() : new GenericArray(component);
        }
        if (type instanceof WildcardType w) {
            return resolve(w.getUpperBounds()[0], bindings);
        }
        return type;
    }

    /**
     * The {@code index}th type argument with which {@code type} implements or extends {@code target},
     * following superclasses and superinterfaces, or Object if it cannot be known (raw use).
     */
    static Type typeArgumentOf(Type type, Class<?> target, int index) {
        // remembered: binding a handler's Map or List input asked this on every invocation, and the
        // walk up the hierarchy was 6.5 % of an instance's CPU at 32 concurrent invocations (JFR,
        // 2026-12-06). Types are a handler's own declarations, so the map stays small.
        ArgumentKey key = new ArgumentKey(type, target, index);
        Type known = ARGUMENTS.get(key);
        if (known != null) {
            return known;
        }
        Type found = search(type, target, new HashMap<>());
        Type argument = found == null ? Object.class : argument(found, index);
        ARGUMENTS.putIfAbsent(key, argument);
        return argument;
    }

    /*
     * Not a record: a record's equals and hashCode are bootstrapped through invokedynamic, and
     * that machinery cost every instance 6 MB of resident memory (bench/results/2026-12-06-peers.md,
     * idle instance 40 -> 47 MB RSS) for a key compared on every invocation.
     */
    private static final class ArgumentKey {
        private final Type type;
        private final Class<?> target;
        private final int index;

        ArgumentKey(Type type, Class<?> target, int index) {
            this.type = type;
            this.target = target;
            this.index = index;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ArgumentKey key
                    && key.index == index && key.target == target && key.type.equals(type);
        }

        @Override
        public int hashCode() {
            return (type.hashCode() * 31 + target.hashCode()) * 31 + index;
        }
    }

    private static final java.util.concurrent.ConcurrentMap<ArgumentKey, Type> ARGUMENTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Bindings of {@code type} and of every generic superclass on the way up, so that a field
     * {@code List<T> items} declared in {@code Page<T>} binds as {@code List<Order>} when read
     * through {@code class OrderPage extends Page<Order>}.
     */
    static Map<TypeVariable<?>, Type> hierarchyBindings(Type type) {
        Map<TypeVariable<?>, Type> all = bindings(type);
        Type superclass = raw(type).getGenericSuperclass();
        while (superclass instanceof ParameterizedType) {
            Type resolved = resolve(superclass, all);
            all.putAll(bindings(resolved));
            superclass = raw(resolved).getGenericSuperclass();
        }
        return all;
    }

    private static Type search(Type type, Class<?> target, Map<TypeVariable<?>, Type> bindings) {
        Class<?> raw = raw(type);
        Map<TypeVariable<?>, Type> here = new HashMap<>();
        for (Map.Entry<TypeVariable<?>, Type> e : bindings(type).entrySet()) {
            here.put(e.getKey(), resolve(e.getValue(), bindings));
        }
        if (raw == target) {
            return resolve(type, bindings);
        }
        for (Type itf : raw.getGenericInterfaces()) {
            Type found = search(itf, target, here);
            if (found != null) {
                return found;
            }
        }
        Type superclass = raw.getGenericSuperclass();
        return superclass == null ? null : search(superclass, target, here);
    }

    /** A type variable whose binding is unknown behaves like its bound. */
    static Type erasedIfVariable(Type type) {
        return type instanceof TypeVariable<?> || type instanceof WildcardType ? raw(type) : type;
    }

    private record Parameterized(Class<?> rawType, Type[] args, Type owner) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return args.clone();
        }

        @Override
        public Type getRawType() {
            return rawType;
        }

        @Override
        public Type getOwnerType() {
            return owner;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(rawType.getTypeName()).append('<');
            for (int i = 0; i < args.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(args[i].getTypeName());
            }
            return sb.append('>').toString();
        }
    }

    private record GenericArray(Type component) implements GenericArrayType {
        @Override
        public Type getGenericComponentType() {
            return component;
        }

        @Override
        public String toString() {
            return component.getTypeName() + "[]";
        }
    }
}
