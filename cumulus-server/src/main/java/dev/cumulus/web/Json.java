package dev.cumulus.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.cumulus.errors.ApiException;
import java.io.IOException;

/** The edge's one ObjectMapper and the parse step that turns bad JSON into a 400. */
public final class Json {
    public static final ObjectMapper MAPPER = newMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {}

    /**
     * A plain ObjectMapper whose parsers and generators take their buffers from one pool shared
     * by all threads. Jackson's default pool keeps buffers per thread, and the node serves each
     * request on a new virtual thread: every generator then allocated fresh 8 KB and 4 KB buffers
     * and set a thread-local, a third of the bytes the node allocated on the function-URL path
     * (JFR, bench/results/2026-12-06-node-event-path.md).
     */
    public static ObjectMapper newMapper() {
        return new ObjectMapper(JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build());
    }

    public static JsonNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = body.length == 0 ? null : MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("MalformedJson", "the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("MalformedJson", "the body must be a JSON object");
        }
        return node;
    }

    /** Checks that an invocation payload is JSON (any value), so functions never get junk. */
    public static void requireJson(byte[] body) {
        if (body.length == 0) {
            return;
        }
        try (var parser = MAPPER.getFactory().createParser(body)) {
            while (parser.nextToken() != null) {
                // walking the tokens validates the document without building a tree
            }
        } catch (IOException e) {
            throw ApiException.badRequest("MalformedJson", "the event is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
