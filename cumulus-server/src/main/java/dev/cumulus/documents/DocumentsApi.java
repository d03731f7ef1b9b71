package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Principal;
import dev.cumulus.web.AllowedOrigins;
import dev.cumulus.web.Call;
import dev.cumulus.web.EndUserTokens;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.FutureCallback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST face of {@link Documents}, under {@code /v1/projects/{project}/db/} (or {@code /v1/db/}
 * in the caller's project). Every route is an IAM action {@code db:...} on
 * {@code crn:cumulus:db:<project>:<collection>/<id>}.
 */
final class DocumentsApi {
    /** Room for JSON whitespace around a document of {@link Documents#MAX_DOCUMENT_BYTES}; the document itself is measured after parsing. */
    static final int MAX_BODY_BYTES = Documents.MAX_DOCUMENT_BYTES + 64 * 1024;
    static final int MAX_BATCH_BODY_BYTES = 16 * 1024 * 1024;
    static final int MAX_SETTINGS_BYTES = 256 * 1024;
    /** Carries how many change events led to this write (a function copies it from the event's {@code hops}). */
    static final String HOPS_HEADER = Documents.HOPS_HEADER;
    /** With which an IAM principal acts for an end user (the node's {@link EndUsers} reads it). */
    static final String ON_BEHALF_OF = "X-Cumulus-On-Behalf-Of";
    private static final Pattern ETAG = Pattern.compile("\\s*(?:W/)?\"(\\d{1,18})\"\\s*");
    private static final Set<String> TX_FIELDS = Set.of("reads", "writes");
    private static final Set<String> WRITE_FIELDS = Set.of("op", "collection", "id", "data", "ifVersion");
    private static final Set<String> READ_FIELDS = Set.of("collection", "id", "version");

    private final Documents documents;
    private final EndUsers endUsers;
    private final EndUserTokens userTokens;
    private final AllowedOrigins origins;

    DocumentsApi(Documents documents, EndUsers endUsers, EndUserTokens userTokens, AllowedOrigins origins) {
        this.documents = documents;
        this.endUsers = endUsers;
        this.userTokens = userTokens;
        this.origins = origins;
    }

    /**
     * A route a browser may call with only an end user's access token (ADR 0034): documents,
     * queries, changes, transactions; never a collection's settings (rules, schema, indexes),
     * which stay IAM's.
     */
    private Route.Builder forEndUsers(Route.Builder route) {
        return route.endUsers(userTokens).cors(origins);
    }

    List<Route> routes() {
        String c = "/v1/db/collections/{collection}";
        return List.of(
                Route.get("/v1/db/collections").authorize("db:ListCollections", "db", "*").handle(this::listCollections),
                Route.put(c).authorize("db:PutCollection", "db", "{collection}").handle(this::putCollection),
                Route.get(c).authorize("db:GetCollection", "db", "{collection}").handle(this::getCollection),
                Route.delete(c).authorize("db:DeleteCollection", "db", "{collection}").handle(this::deleteCollection),
                forEndUsers(Route.post(c + "/documents")).authorize("db:CreateDocument", "db", "{collection}/*").handle(this::create),
                forEndUsers(Route.get(c + "/documents/{id}")).authorize("db:GetDocument", "db", "{collection}/{id}").handle(this::get),
                forEndUsers(Route.put(c + "/documents/{id}")).authorize("db:PutDocument", "db", "{collection}/{id}").handle(this::put),
                forEndUsers(Route.of("PATCH", c + "/documents/{id}")).authorize("db:PatchDocument", "db", "{collection}/{id}")
                        .handle(this::patch),
                forEndUsers(Route.delete(c + "/documents/{id}")).authorize("db:DeleteDocument", "db", "{collection}/{id}")
                        .handle(this::delete),
                forEndUsers(Route.post(c + "/query")).authorize("db:Query", "db", "{collection}/*").handle(this::query),
                forEndUsers(Route.get(c + "/changes")).authorize("db:Listen", "db", "{collection}/*").handle(this::changes),
                forEndUsers(Route.get("/v1/db/realtime")).authorize("db:Listen", "db", "realtime").handle(this::realtime),
                forEndUsers(Route.post("/v1/db/transaction")).authorize("db:Transact", "db", "*").handle(this::transaction),
                forEndUsers(Route.post("/v1/db/batch")).authorize("db:BatchWrite", "db", "*").handle(this::batch));
    }

    private Access access(Call call) {
        if (call.principal() != null && call.principal().kind() == Principal.Kind.END_USER) {
            // the end user is the principal itself: the rules judge it, and it acts for nobody else
            if (call.header(ON_BEHALF_OF) != null) {
                throw ApiException.badRequest("InvalidHeader", ON_BEHALF_OF + " is for IAM principals acting for an "
                        + "end user; an end user's own access token acts for that user only");
            }
            return Access.user(new RequestAuth(call.endUser().id(), call.endUser().claims()));
        }
        Access access = endUsers.of(call);
        return access == null ? Access.ADMIN : access;
    }

    private void listCollections(Call call) throws IOException {
        call.json(200, Map.of("collections", documents.listCollections(call.project())));
    }

    private void putCollection(Call call) throws IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), MAX_SETTINGS_BYTES));
        Map<String, Object> view = documents.putCollection(call.project(), call.param("collection"), body);
        call.json(Boolean.TRUE.equals(view.get("created")) ? 201 : 200, view);
    }

    private void getCollection(Call call) throws IOException {
        call.json(200, documents.getCollection(call.project(), call.param("collection")));
    }

    private void deleteCollection(Call call) throws IOException {
        documents.deleteCollection(call.project(), call.param("collection"));
        call.noContent();
    }

    private void create(Call call) throws IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), MAX_BODY_BYTES));
        String id = call.query("id");
        if (id != null) {
            Documents.requireId(id);
        }
        Documents.Change change = documents.write(access(call), call.project(),
                new Write(Write.Kind.CREATE, call.param("collection"), id, body, null), hops(call));
        call.response().getHeaders().put("Location", "/v1/projects/" + call.project() + "/db/collections/"
                + call.param("collection") + "/documents/" + change.id());
        answer(call, 201, change.after());
    }

    private void get(Call call) throws IOException {
        Document doc = documents.get(access(call), call.project(), call.param("collection"), call.param("id"));
        String ifNoneMatch = call.header("If-None-Match");
        if (ifNoneMatch != null && ifNoneMatch.strip().equals(doc.etag())) {
            call.response().getHeaders().put("ETag", doc.etag());
            Exchange.write(call.response(), 304, null, new byte[0]);
            return;
        }
        answer(call, 200, doc);
    }

    private void put(Call call) throws IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), MAX_BODY_BYTES));
        Long ifVersion = ifMatch(call);
        String ifNoneMatch = call.header("If-None-Match");
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.strip().equals("*")) {
                throw ApiException.badRequest("InvalidPrecondition", "If-None-Match on PUT takes only * (create only)");
            }
            ifVersion = 0L;
        }
        Documents.Change change = documents.write(access(call), call.project(),
                new Write(Write.Kind.REPLACE, call.param("collection"), call.param("id"), body, ifVersion), hops(call));
        answer(call, change.before() == null ? 201 : 200, change.after());
    }

    private void patch(Call call) throws IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), MAX_BODY_BYTES));
        Documents.Change change = documents.write(access(call), call.project(),
                new Write(Write.Kind.PATCH, call.param("collection"), call.param("id"), body, ifMatch(call)), hops(call));
        answer(call, 200, change.after());
    }

    private void delete(Call call) throws IOException {
        documents.write(access(call), call.project(),
                new Write(Write.Kind.DELETE, call.param("collection"), call.param("id"), null, ifMatch(call)), hops(call));
        call.noContent();
    }

    private void query(Call call) throws IOException {
        Query query = Query.parse(Json.parseObject(Exchange.readBody(call.request(), MAX_SETTINGS_BYTES)));
        Documents.Page page = documents.query(access(call), call.project(), call.param("collection"), query);
        if (page.count() != null) {
            call.json(200, Map.of("count", page.count()));
            return;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("documents", page.documents().stream().map(Document::view).toList());
        view.put("nextCursor", page.nextCursor());
        call.json(200, view);
    }

    /**
     * Server-Sent Events of the collection's changes, from {@code Last-Event-ID} (or {@code ?after=})
     * on, else from now on; a comment every {@link #KEEPALIVE} keeps proxies and idle timeouts from
     * closing a quiet stream and finds clients that left.
     */
    private void changes(Call call) throws Exception {
        String last = call.header("Last-Event-ID");
        if (last == null) {
            last = call.query("after");
        }
        Long after = null;
        if (last != null && !last.isBlank()) {
            try {
                after = Long.parseLong(last.strip());
                if (after < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("InvalidEventId", "Last-Event-ID (or after) must be an event id this stream sent");
            }
        }
        ChangeStream stream = documents.listen(access(call), call.project(), call.param("collection"),
                RealtimeSocket.target(call.query("id"), call.query("where")), after);
        Response response = call.response();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        send(response, ": stream of " + call.param("collection") + " after " + stream.position() + "\n\n");
        long quietSince = System.nanoTime();
        while (!Thread.currentThread().isInterrupted() && !documents.changeLog.closed()) {
            List<String> frames;
            long signals = documents.changeLog.signals(call.project(), call.param("collection"));
            try {
                frames = stream.frames();
            } catch (ApiException gone) {
                // the collection was deleted under the stream: say so and end it
                send(response, "event: error\ndata: " + Json.MAPPER.writeValueAsString(
                        Map.of("error", gone.code(), "message", gone.getMessage())) + "\n\n");
                return;
            }
            if (frames.isEmpty()) {
                if (System.nanoTime() - quietSince > KEEPALIVE.toNanos()) {
                    send(response, ": keepalive\n\n");
                    quietSince = System.nanoTime();
                }
                documents.changeLog.await(call.project(), call.param("collection"), signals, POLL);
                continue;
            }
            send(response, String.join("", frames));
            quietSince = System.nanoTime();
        }
    }

    /**
     * Upgrades to the realtime WebSocket ({@link RealtimeSocket}): one socket, many subscriptions,
     * authenticated at the upgrade like every db route (the credential and the end user it acts
     * for stay the socket's for its life). Opening it is {@code db:Listen} on
     * {@code crn:cumulus:db:<project>:realtime}; each subscribe is {@code db:Listen} on its
     * collection ({@code <c>/*}), asked when it comes, so a key confined to some collections
     * subscribes to those only.
     */
    private void realtime(Call call) throws Exception {
        ServerWebSocketContainer container = ServerWebSocketContainer.get(call.request().getContext());
        Access access = access(call);
        String project = call.project();
        // each subscription is db:Listen on its collection, as GET collections/{c}/changes is
        Call.Check check = call.laterChecks();
        FutureCallback upgraded = new FutureCallback();
        if (container == null || !container.upgrade((request, response, callback) -> {
            if (request.hasSubProtocol(RealtimeSocket.PROTOCOL)) {
                response.setAcceptedSubProtocol(RealtimeSocket.PROTOCOL);
            }
            return new RealtimeSocket(documents, access, project, check);
        }, call.request(), call.response(), upgraded)) {
            throw new ApiException(426, "UpgradeRequired", "GET realtime is a WebSocket: send Upgrade: websocket"
                    + " (or use GET collections/{c}/changes for Server-Sent Events)");
        }
        upgraded.get();
    }

    static final java.time.Duration KEEPALIVE = java.time.Duration.ofSeconds(15);
    /**
     * How long a listener waits for a signal (a commit here, or another node's notice on the cluster
     * bus) before it looks at the log again anyway: what bounds the delay of a lost notice. The
     * system property {@value #LOOK_PROPERTY} (an ISO-8601 duration) changes it, for tests that
     * prove the notice and not the look delivered an event; not a user setting.
     */
    static final String LOOK_PROPERTY = "cumulus.realtime.look";
    static final java.time.Duration POLL = look(System.getProperty(LOOK_PROPERTY));

    static java.time.Duration look(String setting) {
        if (setting == null) {
            return java.time.Duration.ofSeconds(1);
        }
        try {
            java.time.Duration look = java.time.Duration.parse(setting);
            if (look.isNegative() || look.isZero()) {
                throw new java.time.format.DateTimeParseException("not positive", setting, 0);
            }
            return look;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("-D" + LOOK_PROPERTY + " must be a positive ISO-8601 duration such as PT1S, not '"
                    + setting + "'", e);
        }
    }

    private static void send(Response response, String text) throws IOException {
        Content.Sink.write(response, false, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private void transaction(Call call) throws IOException {
        commit(call, true);
    }

    private void batch(Call call) throws IOException {
        commit(call, false);
    }

    private void commit(Call call, boolean transaction) throws IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), MAX_BATCH_BODY_BYTES));
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TX_FIELDS.contains(name) || !transaction && name.equals("reads")) {
                throw ApiException.badRequest("InvalidBody", "unknown field '" + name + "'; a "
                        + (transaction ? "transaction has reads and writes" : "batch has writes"));
            }
        }
        List<Documents.Read> reads = new ArrayList<>();
        JsonNode r = body.get("reads");
        if (r != null && !r.isNull()) {
            if (!r.isArray()) {
                throw ApiException.badRequest("InvalidBody", "reads must be an array of {collection, id, version}");
            }
            for (int i = 0; i < r.size(); i++) {
                JsonNode read = r.get(i);
                String at = "reads[" + i + "]";
                requireFields(read, READ_FIELDS, at);
                if (!read.path("version").isIntegralNumber() || read.get("version").asLong() < 0) {
                    throw ApiException.badRequest("InvalidBody", at + ".version is required: the version read, 0 for absent");
                }
                reads.add(new Documents.Read(text(read, "collection", at), text(read, "id", at), read.get("version").asLong()));
            }
        }
        JsonNode w = body.get("writes");
        if (w == null || !w.isArray() || w.isEmpty()) {
            throw ApiException.badRequest("InvalidBody", "writes must be a non-empty array");
        }
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < w.size(); i++) {
            JsonNode write = w.get(i);
            String at = "writes[" + i + "]";
            requireFields(write, WRITE_FIELDS, at);
            Write.Kind kind = switch (write.path("op").asText("")) {
                case "create" -> Write.Kind.CREATE;
                case "replace" -> Write.Kind.REPLACE;
                case "patch" -> Write.Kind.PATCH;
                case "delete" -> Write.Kind.DELETE;
                default -> throw ApiException.badRequest("InvalidBody", at + ".op must be create, replace, patch or delete");
            };
            String id = write.hasNonNull("id") ? text(write, "id", at) : null;
            if (id == null && kind != Write.Kind.CREATE) {
                throw ApiException.badRequest("InvalidBody", at + ".id is required for " + write.get("op").asText());
            }
            JsonNode data = write.get("data");
            if (kind == Write.Kind.DELETE ? data != null : data == null || !data.isObject()) {
                throw ApiException.badRequest("InvalidBody", at + ".data " + (kind == Write.Kind.DELETE
                        ? "is not taken by delete" : "is required, a JSON object"));
            }
            Long ifVersion = null;
            if (write.hasNonNull("ifVersion")) {
                if (!write.get("ifVersion").isIntegralNumber() || write.get("ifVersion").asLong() < 0) {
                    throw ApiException.badRequest("InvalidBody", at + ".ifVersion must be a version (0: must not exist)");
                }
                ifVersion = write.get("ifVersion").asLong();
            }
            writes.add(new Write(kind, text(write, "collection", at), id, data, ifVersion));
        }
        List<Documents.Change> changes = documents.commit(access(call), call.project(), reads, writes, hops(call));
        List<Map<String, Object>> results = new ArrayList<>();
        for (Documents.Change ch : changes) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("collection", ch.collection());
            result.put("id", ch.id());
            result.put("version", ch.after() == null ? null : ch.after().version());
            results.add(result);
        }
        call.json(200, Map.of("results", results));
    }

    private static void requireFields(JsonNode node, Set<String> allowed, String at) {
        if (!node.isObject()) {
            throw ApiException.badRequest("InvalidBody", at + " must be an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw ApiException.badRequest("InvalidBody", at + ": unknown field '" + name + "'");
            }
        }
    }

    private static String text(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw ApiException.badRequest("InvalidBody", at + "." + field + " is required, a string");
        }
        return v.asText();
    }

    private static void answer(Call call, int status, Document doc) throws IOException {
        call.response().getHeaders().put("ETag", doc.etag());
        call.json(status, doc.view());
    }

    /** If-Match: {@code "<version>"} → that version; absent → null. */
    static Long ifMatch(Call call) {
        String header = call.header("If-Match");
        if (header == null) {
            return null;
        }
        Matcher m = ETAG.matcher(header);
        if (!m.matches()) {
            throw ApiException.badRequest("InvalidPrecondition", "If-Match takes one ETag this API returned, e.g. \"3\"");
        }
        return Long.parseLong(m.group(1));
    }

    /** The larger of what the request declares and what its relaying invocation's trigger chain reached. */
    static int hops(Call call) {
        int invocation = call.request().getAttribute(Documents.INVOCATION_HOPS) instanceof Integer h ? h : 0;
        return Math.max(invocation, declaredHops(call));
    }

    private static int declaredHops(Call call) {
        String header = call.header(HOPS_HEADER);
        if (header == null) {
            return 0;
        }
        try {
            int hops = Integer.parseInt(header.strip());
            if (hops < 0) {
                throw new NumberFormatException();
            }
            return hops;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("InvalidHeader", HOPS_HEADER + " must be a non-negative integer");
        }
    }
}
