package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.util.Set;

/** A parsed handler string: {@code pkg.Class} or {@code pkg.Class::method}. */
record HandlerName(String className, String method) {
    // Keywords and literals cannot name a package, class or method, so a handler using one could
    // never load; refusing it at deploy time beats a failure at the first invocation.
    private static final Set<String> RESERVED = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
            "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
            "for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
            "new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
            "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
            "volatile", "while", "true", "false", "null", "_");

    static HandlerName parse(String handler) {
        if (handler == null || handler.isEmpty()) {
            throw invalid(handler);
        }
        int separator = handler.indexOf("::");
        String className = separator < 0 ? handler : handler.substring(0, separator);
        String method = separator < 0 ? null : handler.substring(separator + 2);
        if (method != null && !isIdentifier(method)) {
            throw invalid(handler);
        }
        for (String part : className.split("\\.", -1)) {
            if (!isIdentifier(part)) {
                throw invalid(handler);
            }
        }
        return new HandlerName(className, method);
    }

    /** Where the class sits in a jar: {@code a/b/C.class}. */
    String classFile() {
        return className.replace('.', '/') + ".class";
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || RESERVED.contains(s) || !Character.isJavaIdentifierStart(s.codePointAt(0))) {
            return false;
        }
        return s.codePoints().skip(1).allMatch(Character::isJavaIdentifierPart);
    }

    private static ApiException invalid(String handler) {
        return ApiException.badRequest(
                "InvalidHandler", "handler must be pkg.Class or pkg.Class::method, got '" + handler + "'");
    }
}
