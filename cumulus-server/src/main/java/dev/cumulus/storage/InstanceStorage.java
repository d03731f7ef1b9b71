package dev.cumulus.storage;

import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import dev.cumulus.runtimeapi.InstanceService;
import dev.cumulus.storage.StorageStore.StoredObject;
import dev.cumulus.web.Exchange;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * Storage for functions, on their instance's Runtime API socket (instances have no network):
 * {@code /cumulus/v1/storage/BUCKET/objects[/KEY]}, what {@code Context.storage()} calls. The
 * caller presents its invocation's execution token; the guard decides with the token's role, as
 * for any other principal, and the token must be of the function whose socket it is. A write
 * continues the storage-trigger chain of the token's invocation ({@link StorageEvents#hopsOf}).
 */
public final class InstanceStorage implements InstanceService {
    static final String PREFIX = "/cumulus/v1/storage";
    private static final int MAX_LISTED = 10_000;
    /** As the function API's {@code Storage.MAX_OBJECT_BYTES}: objects pass in one piece here. */
    static final int MAX_OBJECT_BYTES = 6 * 1024 * 1024;

    /** What an execution token was minted for. */
    public record Invocation(String project, String function, String requestId) {}

    private final Storage storage;
    private final Guard guard;
    private final Function<String, Optional<Invocation>> invocations;
    private final Clock clock;

    public InstanceStorage(Storage storage, Guard guard, Function<String, Optional<Invocation>> invocations, Clock clock) {
        this.storage = storage;
        this.guard = guard;
        this.invocations = invocations;
        this.clock = clock;
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Answer handle(String project, String functionName, Request request) throws Exception {
        String authorization = request.getHeaders().get("Authorization");
        Guard.Facts facts = new Guard.Facts(InetAddress.getLoopbackAddress(), clock.instant());
        Principal who = authorization == null ? null : guard.bearer(authorization, facts).orElse(null);
        Invocation invocation = authorization == null || !authorization.startsWith("Bearer ") ? null
                : invocations.apply(authorization.substring(7).strip()).orElse(null);
        if (who == null || invocation == null || !invocation.project().equals(project)
                || !invocation.function().equals(functionName)) {
            throw new ApiException(403, "AccessDenied", "storage needs this invocation's execution token (a function"
                    + " deployed with a role)");
        }
        String[] parts = request.getHttpURI().getPath().substring(PREFIX.length()).split("/", -1);
        if (parts.length < 3 || !parts[0].isEmpty() || !parts[2].equals("objects")) {
            throw ApiException.notFound("unknown path; storage is " + PREFIX + "/BUCKET/objects[/KEY]");
        }
        String bucket = decode(parts[1]);
        int hops = storage.events().hopsOf(invocation.project(), invocation.requestId());
        if (parts.length == 3) {
            if (!request.getMethod().equals("GET")) {
                throw ApiException.methodNotAllowed("GET");
            }
            guard.authorize(who, "storage:ListBucket", Crn.of("storage", project, bucket), facts);
            Fields query = Request.extractQueryParameters(request);
            List<String> keys = new ArrayList<>();
            String after = null;
            do {
                Storage.Listing page = storage.list(project, bucket, query.getValue("prefix"), null, after, 1000);
                page.objects().forEach(o -> keys.add(o.key()));
                after = page.next();
            } while (after != null && keys.size() < MAX_LISTED);
            return new Answer(200, Map.of("keys", keys));
        }
        List<String> segments = new ArrayList<>();
        for (int i = 3; i < parts.length; i++) {
            segments.add(decode(parts[i]));
        }
        String key = String.join("/", segments);
        Crn object = Crn.of("storage", project, bucket + "/" + key);
        switch (request.getMethod()) {
            case "GET" -> {
                guard.authorize(who, "storage:GetObject", object, facts);
                StoredObject o = storage.head(project, bucket, key);
                if (o.size() > MAX_OBJECT_BYTES) {
                    throw new ApiException(400, "EntityTooLarge", "objects over "
                            + MAX_OBJECT_BYTES + " bytes are read through the S3 API");
                }
                byte[] bytes;
                try (InputStream in = storage.read(o, 0, o.size())) {
                    bytes = in.readAllBytes();
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("key", key);
                answer.put("contentType", o.contentType());
                answer.put("etag", o.etag());
                answer.put("data", Base64.getEncoder().encodeToString(bytes));
                return new Answer(200, answer);
            }
            case "PUT" -> {
                guard.authorize(who, "storage:PutObject", object, facts);
                String contentType = Request.extractQueryParameters(request).getValue("contentType");
                StoredObject o;
                try (InputStream in = Exchange.body(request, MAX_OBJECT_BYTES)) {
                    o = storage.put(project, bucket, key, in, new Storage.PutRequest(contentType, Map.of(), null, hops));
                }
                return new Answer(200, Map.of("key", key, "etag", o.etag(), "size", o.size()));
            }
            case "DELETE" -> {
                guard.authorize(who, "storage:DeleteObject", object, facts);
                storage.delete(project, bucket, key, hops);
                return new Answer(204, Map.of());
            }
            default -> throw ApiException.methodNotAllowed("GET, PUT, DELETE");
        }
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidPath", "the path segment '" + segment + "' is not percent-encoded");
        }
    }
}
