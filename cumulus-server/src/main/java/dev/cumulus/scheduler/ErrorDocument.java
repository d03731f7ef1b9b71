package dev.cumulus.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Lambda-shaped error documents for failures the platform itself detects. */
final class ErrorDocument {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorDocument() {}

    static InvocationResult.Failure failure(InvocationResult.Kind kind, String errorType, String message) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("errorType", errorType);
        doc.put("errorMessage", message);
        doc.putArray("stackTrace");
        try {
            return new InvocationResult.Failure(kind, errorType, message, JSON.writeValueAsBytes(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads errorType and errorMessage out of what a runtime posted, tolerating junk. */
    static InvocationResult.Failure fromRuntime(InvocationResult.Kind kind, String headerType, byte[] body) {
        String type = headerType;
        String message = "";
        try {
            var node = JSON.readTree(body);
            if (node != null && node.isObject()) {
                if (node.hasNonNull("errorType")) type = node.get("errorType").asText();
                if (node.hasNonNull("errorMessage")) message = node.get("errorMessage").asText();
                return new InvocationResult.Failure(kind, type, message, body);
            }
        } catch (java.io.IOException notJson) {
            message = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
        return failure(kind, type, message);
    }
}
