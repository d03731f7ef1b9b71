package dev.cumulus.sdk;

import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Serves {@code GET /sdk/cumulus.js}: public (it is code, not data), the same bytes for every
 * project, cacheable for an hour and revalidated by its ETag, and importable from pages of any
 * origin ({@code Access-Control-Allow-Origin: *}, as module scripts are fetched in CORS mode;
 * no credentials are involved in fetching it).
 */
public final class BrowserSdk {
    static final String PATH = "/sdk/cumulus.js";
    private static final String RESOURCE = "/sdk/cumulus.js";
    private final byte[] code;
    private final String etag;

    private BrowserSdk(byte[] code) {
        this.code = code;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(code);
            this.etag = "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module as packaged with the node. */
    public static BrowserSdk load() {
        try (InputStream in = BrowserSdk.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the node's jar");
            }
            return new BrowserSdk(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Route> routes() {
        return List.of(Route.get(PATH).authorize("node:GetBrowserClient", "node", "sdk").publicAccess().handle(call -> {
            var headers = call.response().getHeaders();
            headers.put("ETag", etag);
            headers.put("Cache-Control", "public, max-age=3600");
            headers.put("Access-Control-Allow-Origin", "*");
            headers.put("X-Content-Type-Options", "nosniff");
            String ifNoneMatch = call.header("If-None-Match");
            if (ifNoneMatch != null && ifNoneMatch.strip().equals(etag)) {
                Exchange.write(call.response(), 304, null, new byte[0]);
                return;
            }
            Exchange.write(call.response(), 200, "text/javascript; charset=utf-8", code);
        }));
    }
}
