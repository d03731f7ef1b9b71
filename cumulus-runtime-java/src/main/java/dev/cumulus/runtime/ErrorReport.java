package dev.cumulus.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lambda's error document: {@code {"errorMessage", "errorType", "stackTrace", "cause"}}. */
final class ErrorReport {
    private static final int MAX_CAUSES = 5;

    private ErrorReport() {}

    /** The header value for a function error: the exception's simple name, as Lambda sends it. */
    static String headerType(Throwable t) {
        String simple = t.getClass().getSimpleName();
        return simple.isEmpty() ? "Unhandled" : simple;
    }

    static byte[] forInvocation(Throwable t) {
        return JsonWriter.writeUtf8(describe(t, 0));
    }

    /** The body's errorType names the underlying exception when there is one, the init category otherwise. */
    static byte[] forInit(InitException e) {
        Throwable cause = e.getCause();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("errorMessage", e.getMessage());
        doc.put("errorType", cause != null ? cause.getClass().getName() : e.errorType());
        doc.put("stackTrace", cause != null ? trace(cause) : List.of());
        if (cause != null && cause.getCause() != null) {
            doc.put("cause", describe(cause.getCause(), 1));
        }
        return JsonWriter.writeUtf8(doc);
    }

    private static Map<String, Object> describe(Throwable t, int depth) {
        Map<String, Object> doc = new LinkedHashMap<>();
        String message = t.getMessage();
        doc.put("errorMessage", message != null ? message : t.getClass().getName());
        doc.put("errorType", t.getClass().getName());
        doc.put("stackTrace", trace(t));
        Throwable cause = t.getCause();
        if (cause != null && cause != t && depth < MAX_CAUSES) {
            doc.put("cause", describe(cause, depth + 1));
        }
        return doc;
    }

    /**
     * Frames from the throw up to where the runtime called the function: the runtime's own frames
     * and the reflection glue beneath the handler say nothing to the function's author.
     */
    static List<Object> trace(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        int end = frames.length;
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].getClassName().startsWith("dev.cumulus.runtime.")) {
                end = i;
                break;
            }
        }
        while (end > 0 && isReflection(frames[end - 1].getClassName())) {
            end--;
        }
        if (end == 0) {
            end = frames.length; // thrown inside the runtime itself: keep everything
        }
        List<Object> lines = new ArrayList<>(end);
        for (int i = 0; i < end; i++) {
            lines.add(frame(frames[i]));
        }
        return lines;
    }

    /** Like {@code StackTraceElement.toString()} without the loader and module prefixes, as Lambda prints. */
    private static String frame(StackTraceElement e) {
        StringBuilder sb = new StringBuilder("at ").append(e.getClassName()).append('.').append(e.getMethodName())
                .append('(');
        if (e.isNativeMethod()) {
            sb.append("Native Method");
        } else if (e.getFileName() == null) {
            sb.append("Unknown Source");
        } else {
            sb.append(e.getFileName());
            if (e.getLineNumber() >= 0) {
                sb.append(':').append(e.getLineNumber());
            }
        }
        return sb.append(')').toString();
    }

    private static boolean isReflection(String className) {
        return className.startsWith("jdk.internal.reflect.") || className.startsWith("java.lang.reflect.")
                || className.startsWith("java.lang.invoke.");
    }
}
