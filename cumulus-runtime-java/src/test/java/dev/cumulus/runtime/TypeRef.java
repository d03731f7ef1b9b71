package dev.cumulus.runtime;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/** Captures a generic type in a test: {@code new TypeRef<List<Item>>() {}.type()}. */
abstract class TypeRef<T> {
    Type type() {
        return ((ParameterizedType) getClass().getGenericSuperclass()).getActualTypeArguments()[0];
    }
}
