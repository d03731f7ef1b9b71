package dev.cumulus.storage;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * One CORS rule of a bucket, as S3's CORSRule: which origins may use which methods with which
 * request headers, what response headers they may read, and how long a preflight answer is kept.
 * Origins and headers may hold one {@code *} wildcard.
 */
public record CorsRule(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
        List<String> exposeHeaders, Integer maxAgeSeconds) {

    public CorsRule {
        allowedOrigins = List.copyOf(allowedOrigins);
        allowedMethods = List.copyOf(allowedMethods);
        allowedHeaders = allowedHeaders == null ? List.of() : List.copyOf(allowedHeaders);
        exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    }

    /** Whether a request from {@code origin} with {@code method} (and the preflight's headers) may pass. */
    boolean allows(String origin, String method, List<String> requestHeaders) {
        if (allowedOrigins.stream().noneMatch(o -> wildcard(o, origin)) || !allowedMethods.contains(method)) {
            return false;
        }
        for (String header : requestHeaders) {
            String h = header.strip().toLowerCase(Locale.ROOT);
            if (!h.isEmpty() && allowedHeaders.stream().noneMatch(a -> wildcard(a.toLowerCase(Locale.ROOT), h))) {
                return false;
            }
        }
        return true;
    }

    static boolean wildcard(String pattern, String value) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            return pattern.equals(value);
        }
        String head = pattern.substring(0, star);
        String tail = pattern.substring(star + 1);
        return value.length() >= head.length() + tail.length() && value.startsWith(head) && value.endsWith(tail);
    }

    static List<CorsRule> fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<List<CorsRule>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String toJson(List<CorsRule> rules) {
        return new String(Json.write(rules), java.nio.charset.StandardCharsets.UTF_8);
    }
}
