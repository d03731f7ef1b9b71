package dev.cumulus.storage;

import dev.cumulus.errors.ApiException;
import dev.cumulus.storage.StorageStore.StoredObject;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import dev.cumulus.iam.Principal;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * The native storage API, {@code /v1/storage/buckets/...}: JSON for buckets and listings, the
 * object's bytes as they are for objects (streamed both ways), the REST error dialect, and the
 * same IAM actions and resources as the S3 API.
 */
final class StorageMount {
    private final Storage storage;
    private final Function<String, Optional<String>> invocationOf;

    StorageMount(Storage storage, Function<String, Optional<String>> invocationOf) {
        this.storage = storage;
        this.invocationOf = invocationOf;
    }

    /**
     * The hop count of a write: what the request says, or, for a function writing with its
     * execution token, what its invocation's trigger chain has reached, whichever is more.
     */
    private int hops(Call call) {
        int declared = StorageEvents.hops(call.header(StorageEvents.HOPS_HEADER));
        String authorization = call.header("Authorization");
        if (call.principal() == null || call.principal().kind() != Principal.Kind.ROLE || authorization == null
                || !authorization.startsWith("Bearer ")) {
            return declared;
        }
        String requestId = invocationOf.apply(authorization.substring(7).strip()).orElse(null);
        return Math.max(declared, storage.events().hopsOf(call.project(), requestId));
    }

    List<Route> routes() {
        String b = "/v1/storage/buckets/{bucket}";
        String o = b + "/objects/{key+}";
        return List.of(
                Route.get("/v1/storage/buckets").authorize("storage:ListBuckets", "storage", "*").handle(this::buckets),
                Route.put(b).authorize("storage:CreateBucket", "storage", "{bucket}").handle(this::create),
                Route.delete(b).authorize("storage:DeleteBucket", "storage", "{bucket}").handle(this::deleteBucket),
                Route.get(b + "/objects").authorize("storage:ListBucket", "storage", "{bucket}").handle(this::list),
                Route.put(o).authorize("storage:PutObject", "storage", "{bucket}/{key}").handle(this::put),
                Route.get(o).authorize("storage:GetObject", "storage", "{bucket}/{key}").handle(this::get),
                Route.delete(o).authorize("storage:DeleteObject", "storage", "{bucket}/{key}").handle(this::delete));
    }

    private void buckets(Call call) throws IOException {
        call.json(200, Map.of("buckets", storage.buckets(call.project()).stream().map(bucket -> Map.of(
                "name", bucket.name(), "createdAt", bucket.createdAt().toEpochMilli())).toList()));
    }

    private void create(Call call) throws IOException {
        storage.createBucket(call.project(), call.param("bucket"));
        call.json(201, Map.of("name", call.param("bucket")));
    }

    private void deleteBucket(Call call) throws IOException {
        storage.deleteBucket(call.project(), call.param("bucket"));
        call.noContent();
    }

    private void list(Call call) throws IOException {
        int limit = 1000;
        if (call.query("limit") != null) {
            try {
                limit = Math.max(1, Math.min(1000, Integer.parseInt(call.query("limit"))));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("InvalidArgument", "limit must be a number from 1 to 1000");
            }
        }
        Storage.Listing listing = storage.list(call.project(), call.param("bucket"), call.query("prefix"),
                call.query("delimiter"), call.query("after"), limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("objects", listing.objects().stream().map(StorageMount::view).toList());
        body.put("commonPrefixes", listing.commonPrefixes());
        if (listing.truncated()) {
            body.put("next", listing.next());
        }
        call.json(200, body);
    }

    static Map<String, Object> view(StoredObject o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", o.key());
        m.put("size", o.size());
        m.put("etag", o.etag());
        m.put("contentType", o.contentType());
        m.put("metadata", o.metadata());
        m.put("createdAt", o.createdAt().toEpochMilli());
        return m;
    }

    private void put(Call call) throws IOException {
        StoredObject object;
        try (InputStream in = Exchange.body(call.request(), Storage.MAX_PUT_BYTES)) {
            object = storage.put(call.project(), call.param("bucket"), call.param("key"), in,
                    new Storage.PutRequest(call.header("Content-Type"), Map.of(), null, hops(call)));
        }
        call.json(200, view(object));
    }

    private void get(Call call) throws IOException {
        StoredObject object = storage.head(call.project(), call.param("bucket"), call.param("key"));
        var response = call.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, object.contentType());
        response.getHeaders().put(HttpHeader.ETAG, S3Api.quoted(object.etag()));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, object.size());
        try (InputStream in = storage.read(object, 0, object.size());
                OutputStream out = Content.Sink.asOutputStream(response)) {
            in.transferTo(out);
        }
    }

    private void delete(Call call) throws IOException {
        storage.delete(call.project(), call.param("bucket"), call.param("key"), hops(call));
        call.noContent();
    }
}
