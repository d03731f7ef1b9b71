package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * GetFunction's {@code Code.Location}: a presigned link to the code package, served by the node
 * without a signature header, as Lambda's S3 links are. The query carries an expiry and an
 * HMAC over package and expiry under a key the node draws at start, so links die after
 * {@link #VALID_FOR} or with the node, and nobody can forge one for another package.
 */
final class CodeLinks {
    /** Lambda's links are valid for ten minutes. */
    static final Duration VALID_FOR = Duration.ofMinutes(10);
    static final String PATH = "cumulus-code";

    private final FunctionRegistry registry;
    private final Clock clock;
    private final byte[] key = new byte[32];

    CodeLinks(FunctionRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    /** A link to {@code code} on the node the caller reached. */
    String link(Call call, CodeRef code) {
        long expires = clock.instant().plus(VALID_FOR).getEpochSecond();
        return call.baseUrl() + "/2015-03-31/" + PATH + "/" + code.sha256() + "?Expires=" + expires
                + "&Signature=" + signature(code.sha256(), expires);
    }

    void serve(Request request, Response response, String sha256) throws IOException {
        var query = Request.extractQueryParameters(request);
        long expires;
        try {
            expires = Long.parseLong(query.getValue("Expires"));
        } catch (NumberFormatException e) {
            throw denied("the link has no valid Expires");
        }
        String given = query.getValue("Signature");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                signature(sha256, expires).getBytes(StandardCharsets.UTF_8))) {
            throw denied("the link's signature does not match");
        }
        if (clock.instant().getEpochSecond() > expires) {
            throw denied("the link has expired; call GetFunction for a new one");
        }
        Path file = registry.codePackage(new CodeRef(sha256, 0));
        try (InputStream in = Files.newInputStream(file)) {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/zip");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Files.size(file));
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                Content.Sink.write(response, false, ByteBuffer.wrap(buffer, 0, n));
            }
            Content.Sink.write(response, true, ByteBuffer.allocate(0));
        } catch (NoSuchFileException e) {
            throw LambdaError.notFound("the code package " + sha256 + " is no longer stored");
        }
    }

    private static dev.cumulus.errors.ApiException denied(String message) {
        return LambdaError.user(403, "AccessDeniedException", message);
    }

    private String signature(String sha256, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((sha256 + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
