package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/** A non-2xx answer of the REST API: {@code {"error": code, "message": message}} plus the HTTP status. */
public record ApiError(int status, String code, String message, String retryAfter) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads an error body; a body that is not the documented JSON still yields a readable message. */
    public static ApiError from(int status, byte[] body, String retryAfter) {
        String code = null;
        String message = null;
        boolean json = false;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                json = true;
                code = text(node.get("error"));
                message = text(node.get("message"));
            }
        } catch (Exception notJson) {
            // fall back to the raw text below
        }
        if (message == null && !json) {
            String raw = new String(body, StandardCharsets.UTF_8).strip();
            if (!raw.isEmpty() && !raw.startsWith("<")) {
                message = oneLine(raw);
            }
        }
        if (message == null) {
            message = code != null ? code : reason(status);
        }
        return new ApiError(status, code, oneLine(message), retryAfter);
    }

    /** The text after {@code error: }: the server's message, then the status and code. */
    public String format() {
        StringBuilder sb = new StringBuilder(message).append(" (HTTP ").append(status);
        if (code != null && !code.isBlank()) {
            sb.append(' ').append(code);
        }
        sb.append(')');
        if (status == 401) {
            sb.append("; check --token / CUMULUS_TOKEN");
        }
        if (retryAfter != null && !retryAfter.isBlank()) {
            sb.append("; retry after ").append(retryAfter.strip()).append(" s");
        }
        return sb.toString();
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String oneLine(String s) {
        String t = s.replaceAll("\\s*\\R\\s*", " ").strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 409 -> "conflict";
            case 413 -> "payload too large";
            case 429 -> "too many requests";
            case 500 -> "internal server error";
            case 502 -> "bad gateway";
            case 503 -> "service unavailable";
            case 504 -> "gateway timeout";
            default -> "request failed";
        };
    }
}
