package com.example.shop;

import dev.cumulus.function.Context;
import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves the shop's single page (index.html, in this jar) at the function's URL. The page is
 * served by the node it talks to, so its calls are same-origin (no CORS settings needed) and it
 * imports the node's own {@code /sdk/cumulus.js}.
 */
public class ShopPage implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final String PAGE = load();

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return Map.of("statusCode", 200, "headers", Map.of("content-type", "text/html; charset=utf-8",
                "cache-control", "no-cache"), "body", PAGE);
    }

    private static String load() {
        try (InputStream in = ShopPage.class.getResourceAsStream("index.html")) {
            if (in == null) {
                throw new IllegalStateException("index.html is missing from the code package");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
