package dev.cumulus.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.async.CloudEvent;
import dev.cumulus.async.TopicSink;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.testing.MutableClock;
import dev.cumulus.web.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The document store's contract: one subclass per engine (SQLite, PostgreSQL), the same assertions. */
abstract class DocumentsContract {
    static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    static final String P = "shop";

    @TempDir
    Path dir;

    TestDatabase test;
    MutableClock clock;
    Documents docs;
    /** What the documents published, as the topics would receive it: topic and event. */
    final List<Map.Entry<String, CloudEvent>> published = new CopyOnWriteArrayList<>();

    TopicSink capture;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        clock = new MutableClock(T0);
        capture = new TopicSink() {
            @Override
            public boolean exists(String project, String topic) {
                return true;
            }

            @Override
            public void publish(String project, String topic, CloudEvent event) {
                published.add(Map.entry(project + "/" + topic, event));
            }
        };
        docs = new Documents(test.db(), capture, clock);
    }

    @AfterEach
    void close() {
        test.close();
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    Documents.Change write(Write.Kind kind, String collection, String id, String data, Long ifVersion) {
        return docs.write(Access.ADMIN, P, new Write(kind, collection, id, data == null ? null : json(data), ifVersion), 0);
    }

    Documents.Change create(String collection, String id, String data) {
        return write(Write.Kind.CREATE, collection, id, data, null);
    }

    Documents.Page query(String collection, String query) {
        return docs.query(Access.ADMIN, P, collection, Query.parse(json(query)));
    }

    List<String> ids(String collection, String query) {
        Query q = Query.parse(json(query));
        List<String> found = query(collection, query).documents().stream().map(Document::id).toList();
        if (q.where() != null && q.cursor() == null) {
            // realtime query subscriptions filter in memory (QueryMatch): it must agree with the SQL
            List<String> inMemory = docs.query(Access.ADMIN, P, collection, Query.parse(json("{\"limit\":1000}")))
                    .documents().stream().filter(d -> QueryMatch.matches(q.where(), d.data())).map(Document::id).toList();
            assertThat(inMemory).as("QueryMatch of " + query).containsExactlyInAnyOrderElementsOf(found);
        }
        return found;
    }

    static void assertApi(ThrowableAssert.ThrowingCallable call, int status, String code, String... inMessage) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
            for (String part : inMessage) {
                assertThat(e.getMessage()).contains(part);
            }
        });
    }

    @Test
    void documentsAreCreatedReadReplacedPatchedAndDeletedWithVersionsAndServerTimes() {
        docs.putCollection(P, "carts", json("{}"));
        Documents.Change created = create("carts", null, "{\"owner\":\"alice\",\"items\":{\"apple\":2}}");
        String id = created.id();
        assertThat(id).hasSize(20);
        assertThat(created.after().version()).isEqualTo(1);
        assertThat(created.after().createdAt()).isEqualTo(T0);

        clock.advance(Duration.ofSeconds(5));
        Documents.Change patched = write(Write.Kind.PATCH, "carts", id, "{\"items\":{\"pear\":1,\"apple\":null},\"note\":\"x\"}", 1L);
        assertThat(patched.after().data()).isEqualTo(json("{\"owner\":\"alice\",\"items\":{\"pear\":1},\"note\":\"x\"}"));
        assertThat(patched.after().version()).isEqualTo(2);
        assertThat(patched.after().createdAt()).isEqualTo(T0);
        assertThat(patched.after().updatedAt()).isEqualTo(T0.plusSeconds(5));

        Documents.Change replaced = write(Write.Kind.REPLACE, "carts", id, "{\"owner\":\"alice\"}", null);
        assertThat(replaced.after().version()).isEqualTo(3);
        assertThat(docs.get(Access.ADMIN, P, "carts", id).data()).isEqualTo(json("{\"owner\":\"alice\"}"));

        // a client id; creating it twice is a conflict; replacing an absent one creates it
        create("carts", "bob-cart", "{\"owner\":\"bob\"}");
        assertApi(() -> create("carts", "bob-cart", "{}"), 409, "DocumentExists");
        assertThat(write(Write.Kind.REPLACE, "carts", "carol-cart", "{\"owner\":\"carol\"}", null).before()).isNull();
        assertThat(docs.getCollection(P, "carts").get("documents")).isEqualTo(3L);

        write(Write.Kind.DELETE, "carts", id, null, null);
        assertApi(() -> docs.get(Access.ADMIN, P, "carts", id), 404, "DocumentNotFound", id);
        assertApi(() -> write(Write.Kind.PATCH, "carts", id, "{}", null), 404, "DocumentNotFound");
        assertThat(docs.getCollection(P, "carts").get("documents")).isEqualTo(2L);
    }

    @Test
    void ifMatchOnAStaleVersionIsAPreconditionFailureAndWritesNothing() {
        docs.putCollection(P, "c", json("{}"));
        create("c", "d", "{\"n\":1}");
        write(Write.Kind.REPLACE, "c", "d", "{\"n\":2}", 1L);
        assertApi(() -> write(Write.Kind.REPLACE, "c", "d", "{\"n\":3}", 1L), 412, "PreconditionFailed", "version 2");
        assertApi(() -> write(Write.Kind.DELETE, "c", "d", null, 7L), 412, "PreconditionFailed");
        assertApi(() -> write(Write.Kind.REPLACE, "c", "d", "{\"n\":3}", 0L), 412, "PreconditionFailed");
        assertThat(docs.get(Access.ADMIN, P, "c", "d").data().get("n").asInt()).isEqualTo(2);
    }

    @Test
    void badDocumentsCollectionsAndIdsAreRefusedPrecisely() {
        assertApi(() -> create("nope", "a", "{}"), 404, "CollectionNotFound", "nope");
        docs.putCollection(P, "c", json("{}"));
        assertApi(() -> create("c", "../x", "{}"), 400, "InvalidDocumentId");
        assertApi(() -> create("c", "a", "[1]"), 400, "InvalidDocument");
        assertApi(() -> docs.putCollection(P, "1bad", json("{}")), 400, "InvalidCollectionName");
        String big = "{\"blob\":\"" + "x".repeat(Documents.MAX_DOCUMENT_BYTES) + "\"}";
        assertApi(() -> create("c", "big", big), 413, "DocumentTooLarge", String.valueOf(Documents.MAX_DOCUMENT_BYTES));
        assertApi(() -> docs.putCollection(P, "c", json("{\"colour\":1}")), 400, "InvalidSettings", "colour");
        assertApi(() -> docs.putCollection(P, "c", json("{\"rules\":{\"read\":\"request.auth.uid ==\"}}")), 400,
                "InvalidRules", "rules.read");
        assertApi(() -> docs.putCollection(P, "c", json("{\"schema\":{\"$ref\":\"http://evil/\"}}")), 400, "InvalidSchema");
    }

    @Test
    void aJsonSchemaIsCheckedOnEveryWriteNamingTheField() {
        docs.putCollection(P, "products", json("""
                {"schema": {"type": "object", "required": ["name", "price"],
                  "properties": {"name": {"type": "string"}, "price": {"type": "number", "minimum": 0}}}}"""));
        create("products", "p1", "{\"name\":\"apple\",\"price\":1.5}");
        assertApi(() -> create("products", "p2", "{\"name\":\"pear\",\"price\":-1}"), 400, "SchemaViolation", "price");
        assertApi(() -> write(Write.Kind.PATCH, "products", "p1", "{\"price\":\"free\"}", null), 400, "SchemaViolation",
                "price");
        assertApi(() -> create("products", "p3", "{\"price\":1}"), 400, "SchemaViolation", "name");
        assertThat(docs.get(Access.ADMIN, P, "products", "p1").data().get("price").asDouble()).isEqualTo(1.5);
    }

    void seedPeople() {
        docs.putCollection(P, "people", json("{}"));
        create("people", "ann", "{\"name\":\"Ann\",\"age\":31,\"score\":7.5,\"tags\":[\"admin\",\"dev\"],\"address\":{\"city\":\"Oslo\"},\"active\":true}");
        create("people", "bob", "{\"name\":\"Bob\",\"age\":25,\"score\":9,\"tags\":[\"dev\"],\"address\":{\"city\":\"Bergen\"},\"active\":false}");
        create("people", "cat", "{\"name\":\"Cat\",\"age\":40,\"tags\":[],\"address\":{\"city\":\"Oslo\"},\"active\":true,\"nick\":null}");
        create("people", "dan", "{\"name\":\"Dan\",\"age\":\"unknown\",\"score\":3,\"address\":{\"city\":\"Olso\"}}");
        create("people", "eve", "{\"name\":\"Eve\",\"age\":25.0,\"score\":9,\"tags\":[1,2],\"address\":{\"city\":\"Trondheim\"},\"active\":true}");
    }

    static String where(String field, String op, String value) {
        return "{\"where\":{\"field\":\"" + field + "\",\"op\":\"" + op + "\",\"value\":" + value + "},"
                + "\"orderBy\":[\"name\"]}";
    }

    @Test
    void everyOperatorFiltersOnNestedFieldsAndTypesNeverMix() {
        seedPeople();
        assertThat(ids("people", where("address.city", "==", "\"Oslo\""))).containsExactly("ann", "cat");
        assertThat(ids("people", where("age", "==", "25"))).containsExactly("bob", "eve");
        assertThat(ids("people", where("active", "==", "true"))).containsExactly("ann", "cat", "eve");
        assertThat(ids("people", where("nick", "==", "null"))).containsExactly("cat");
        // != matches documents that have the field with another value (Firestore's rule)
        assertThat(ids("people", where("active", "!=", "true"))).containsExactly("bob");
        assertThat(ids("people", where("age", "!=", "25"))).containsExactly("ann", "cat", "dan");
        // ordering comparisons compare numbers with numbers only: "unknown" is never > 30
        assertThat(ids("people", where("age", ">", "30"))).containsExactly("ann", "cat");
        assertThat(ids("people", where("age", ">=", "31"))).containsExactly("ann", "cat");
        assertThat(ids("people", where("age", "<", "31"))).containsExactly("bob", "eve");
        assertThat(ids("people", where("age", "<=", "25"))).containsExactly("bob", "eve");
        assertThat(ids("people", where("name", ">", "\"Bob\""))).containsExactly("cat", "dan", "eve");
        assertThat(ids("people", where("address.city", "in", "[\"Bergen\",\"Trondheim\",7]"))).containsExactly("bob", "eve");
        assertThat(ids("people", where("tags", "contains", "\"dev\""))).containsExactly("ann", "bob");
        assertThat(ids("people", where("tags", "contains", "2"))).containsExactly("eve");
        assertThat(ids("people", where("address.city", "prefix", "\"Os\""))).containsExactly("ann", "cat");
        assertThat(ids("people", """
                {"where": {"or": [{"field": "age", "op": "<", "value": 30},
                                  {"and": [{"field": "address.city", "op": "==", "value": "Oslo"},
                                           {"field": "tags", "op": "contains", "value": "admin"}]}]},
                 "orderBy": ["name"]}"""))
                .containsExactly("ann", "bob", "eve");
    }

    @Test
    void ordersOnSeveralFieldsPagesWithStableCursorsAndCounts() {
        seedPeople();
        // score desc, then age asc; dan's age is a string: strings sort after numbers; cat has no score
        String q = "{\"orderBy\":[{\"field\":\"score\",\"direction\":\"desc\"},{\"field\":\"age\"}],\"limit\":2}";
        Documents.Page first = query("people", q);
        assertThat(first.documents()).extracting(Document::id).containsExactly("bob", "eve");
        assertThat(first.nextCursor()).isNotNull();
        // a write between pages neither repeats nor skips what is left
        create("people", "zed", "{\"name\":\"Zed\",\"score\":100}");
        String withCursor = q.replace("}],", "}],\"cursor\":\"" + first.nextCursor() + "\",");
        Documents.Page second = query("people", withCursor);
        assertThat(second.documents()).extracting(Document::id).containsExactly("ann", "dan");
        Documents.Page third = query("people", q.replace("}],", "}],\"cursor\":\"" + second.nextCursor() + "\","));
        assertThat(third.documents()).extracting(Document::id).containsExactly("cat");
        assertThat(third.nextCursor()).isNull();

        assertThat(docs.query(Access.ADMIN, P, "people", Query.parse(json(
                "{\"where\":{\"field\":\"active\",\"op\":\"==\",\"value\":true},\"count\":true}"))).count())
                .isEqualTo(3L);
        // a cursor only fits its own query
        assertApi(() -> query("people", "{\"orderBy\":[\"name\"],\"cursor\":\"" + first.nextCursor() + "\"}"), 400,
                "InvalidCursor");
        assertApi(() -> query("people", "{\"cursor\":\"not-a-cursor\"}"), 400, "InvalidCursor");
    }

    @Test
    void badQueriesAreRefusedNamingTheField() {
        assertApi(() -> Query.parse(json("{\"where\":{\"field\":\"age\",\"op\":\"~\",\"value\":1}}")), 400,
                "InvalidOperator", "'~'");
        assertApi(() -> Query.parse(json("{\"where\":{\"field\":\"age\",\"op\":\">\",\"value\":true}}")), 400,
                "TypeMismatch", "age");
        assertApi(() -> Query.parse(json("{\"where\":{\"field\":\"a..b\",\"op\":\"==\",\"value\":1}}")), 400,
                "InvalidFieldPath", "a..b");
        assertApi(() -> Query.parse(json("{\"where\":{\"field\":\"a'; DROP TABLE x; --\",\"op\":\"==\",\"value\":1}}")),
                400, "InvalidFieldPath");
        assertApi(() -> Query.parse(json("{\"where\":{\"field\":\"tags\",\"op\":\"in\",\"value\":\"x\"}}")), 400,
                "InvalidValue", "tags");
        assertApi(() -> Query.parse(json("{\"limit\":0}")), 400, "InvalidLimit");
        assertApi(() -> Query.parse(json("{\"select\":[]}")), 400, "InvalidQuery", "select");
    }

    @Test
    void aValueThatLooksLikeSqlIsOnlyEverAValue() {
        seedPeople();
        create("people", "mal", "{\"name\":\"x' OR '1'='1\"}");
        assertThat(ids("people", where("name", "==", "\"x' OR '1'='1\""))).containsExactly("mal");
        assertThat(ids("people", where("name", "==", "\"' OR 1=1 --\""))).isEmpty();
    }

    @Test
    void anUnindexedQueryOnALargeCollectionIsRefusedNamingTheIndexToAdd() {
        docs.putCollection(P, "orders", json("{\"scanThreshold\":3,\"indexes\":[\"owner\"]}"));
        for (int i = 0; i < 5; i++) {
            create("orders", "o" + i, "{\"owner\":\"u" + (i % 2) + "\",\"total\":" + i + ",\"meta\":{\"day\":" + i + "}}");
        }
        assertThat(ids("orders", "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"u1\"}}"))
                .containsExactly("o1", "o3");
        assertApi(() -> query("orders", "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"u1\"},"
                + "\"orderBy\":[\"meta.day\"]}"), 400, "IndexRequired", "meta.day", "scanThreshold");
        docs.putCollection(P, "orders", json("{\"scanThreshold\":3,\"indexes\":[\"owner\",\"meta.day\"]}"));
        assertThat(ids("orders", "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"u0\"},"
                + "\"orderBy\":[{\"field\":\"meta.day\",\"direction\":\"desc\"}]}")).containsExactly("o4", "o2", "o0");
    }

    /** The engine's plan for a query, as text. */
    String plan(String collection, Query query) {
        SqlQuery q = SqlQuery.select(test.db().postgres() ? Dialect.POSTGRES : Dialect.SQLITE, P, collection, query);
        return test.db().withConnection(c -> {
            if (test.db().postgres()) {
                try (var s = c.createStatement()) {
                    s.execute("SET enable_seqscan = off"); // a tiny table would be scanned whatever the indexes
                }
            }
            try (var s = c.prepareStatement((test.db().postgres() ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + q.sql())) {
                q.bind(s);
                StringBuilder plan = new StringBuilder();
                try (var rs = s.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(rs.getMetaData().getColumnCount())).append('\n');
                    }
                }
                if (test.db().postgres()) {
                    try (var reset = c.createStatement()) {
                        reset.execute("RESET enable_seqscan");
                    }
                }
                return plan.toString();
            }
        });
    }

    @Test
    void theEnginesPlanADeclaredIndexForFiltersOnItsField() {
        docs.putCollection(P, "orders", json("{\"indexes\":[\"owner\",\"total\"]}"));
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            writes.add(new Write(Write.Kind.CREATE, "orders", "o" + i, json("{\"owner\":\"u" + (i % 100) + "\",\"total\":" + i + "}"),
                    null));
        }
        docs.commit(Access.ADMIN, P, List.of(), writes, 0);
        test.db().withConnection(c -> {
            try (var s = c.createStatement()) {
                s.execute("ANALYZE"); // the engines' statistics, as a live database has them
            }
            return null;
        });
        assertThat(plan("orders", Query.parse(json("{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"u3\"}}"))))
                .contains("db_ix_");
        assertThat(plan("orders", Query.parse(json("{\"where\":{\"field\":\"total\",\"op\":\">\",\"value\":490}}"))))
                .contains("db_ix_");
    }

    @Test
    void aTransactionIsAllOrNothingAndFailsOnAStaleRead() {
        docs.putCollection(P, "stock", json("{}"));
        docs.putCollection(P, "orders", json("{}"));
        create("stock", "apple", "{\"count\":5}");
        List<Documents.Change> done = docs.commit(Access.ADMIN, P, List.of(new Documents.Read("stock", "apple", 1)),
                List.of(new Write(Write.Kind.PATCH, "stock", "apple", json("{\"count\":4}"), null),
                        new Write(Write.Kind.CREATE, "orders", null, json("{\"item\":\"apple\"}"), null)), 0);
        assertThat(done).hasSize(2);
        assertThat(done.get(1).id()).hasSize(20);
        // a transaction that read version 1 (now 2) writes nothing at all
        assertApi(() -> docs.commit(Access.ADMIN, P, List.of(new Documents.Read("stock", "apple", 1)),
                List.of(new Write(Write.Kind.CREATE, "orders", "o2", json("{}"), null),
                        new Write(Write.Kind.PATCH, "stock", "apple", json("{\"count\":3}"), null)), 0),
                409, "TransactionConflict", "version 2");
        assertApi(() -> docs.get(Access.ADMIN, P, "orders", "o2"), 404, "DocumentNotFound");
        // a batch whose last write fails leaves the first unwritten too
        assertApi(() -> docs.commit(Access.ADMIN, P, List.of(),
                List.of(new Write(Write.Kind.CREATE, "orders", "o3", json("{}"), null),
                        new Write(Write.Kind.CREATE, "stock", "apple", json("{}"), null)), 0), 409, "DocumentExists");
        assertApi(() -> docs.get(Access.ADMIN, P, "orders", "o3"), 404, "DocumentNotFound");
        assertThat(docs.get(Access.ADMIN, P, "stock", "apple").data().get("count").asInt()).isEqualTo(4);
        assertThat(docs.getCollection(P, "orders").get("documents")).isEqualTo(1L);
    }

    @Test
    void ofConcurrentTransactionsOnTheSameReadExactlyOneCommits() throws Exception {
        docs.putCollection(P, "stock", json("{}"));
        create("stock", "apple", "{\"count\":10}");
        int contenders = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> outcomes = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(contenders)) {
            for (int i = 0; i < contenders; i++) {
                int n = i;
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        docs.commit(Access.ADMIN, P, List.of(new Documents.Read("stock", "apple", 1)),
                                List.of(new Write(Write.Kind.REPLACE, "stock", "apple", json("{\"count\":" + n + "}"), null)), 0);
                        return 200;
                    } catch (ApiException e) {
                        return e.status();
                    }
                }));
            }
            start.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : outcomes) {
                statuses.add(f.get());
            }
            assertThat(Collections.frequency(statuses, 200)).isEqualTo(1);
            assertThat(Collections.frequency(statuses, 409)).isEqualTo(contenders - 1);
        }
        assertThat(docs.get(Access.ADMIN, P, "stock", "apple").version()).isEqualTo(2);
    }

    @Test
    void ofConcurrentCreatesOfOneIdExactlyOneWinsAndTheOthersAreConflicts() throws Exception {
        docs.putCollection(P, "c", json("{}"));
        int contenders = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Object>> outcomes = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(contenders)) {
            for (int i = 0; i < contenders; i++) {
                int n = i;
                outcomes.add(pool.submit(() -> {
                    start.await();
                    try {
                        docs.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "c", "same", json("{\"n\":" + n + "}"), null), 0);
                        return 201;
                    } catch (ApiException e) {
                        return e.status() + " " + e.code();
                    }
                }));
            }
            start.countDown();
            List<Object> results = new ArrayList<>();
            for (Future<Object> f : outcomes) {
                results.add(f.get());
            }
            assertThat(Collections.frequency(results, 201)).isEqualTo(1);
            assertThat(Collections.frequency(results, "409 DocumentExists")).isEqualTo(contenders - 1);
        }
        assertThat(docs.getCollection(P, "c").get("documents")).isEqualTo(1L);
        assertThat(ids(docs.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, 0L).frames())).containsExactly("1");
    }

    @Test
    void everyCommittedWriteIsAChangeEventWithBeforeAndAfterInOrder() {
        docs.putCollection(P, "carts", json("{\"changesTopic\":\"cart-changes\"}"));
        create("carts", "c1", "{\"n\":1}");
        write(Write.Kind.PATCH, "carts", "c1", "{\"n\":2}", null);
        assertApi(() -> write(Write.Kind.PATCH, "carts", "c1", "{\"n\":3}", 1L), 412, "PreconditionFailed");
        write(Write.Kind.DELETE, "carts", "c1", null, null);
        assertThat(published).extracting(Map.Entry::getKey).containsOnly("shop/cart-changes");
        assertThat(published).extracting(e -> e.getValue().type())
                .containsExactly("document.created", "document.updated", "document.deleted");
        JsonNode updated = json(new String(published.get(1).getValue().data()));
        assertThat(updated.at("/before/data/n").asInt()).isEqualTo(1);
        assertThat(updated.at("/after/data/n").asInt()).isEqualTo(2);
        assertThat(updated.at("/after/version").asInt()).isEqualTo(2);
        assertThat(updated.get("hops").asInt()).isEqualTo(1);
        JsonNode deleted = json(new String(published.get(2).getValue().data()));
        assertThat(deleted.get("after").isNull()).isTrue();
        assertThat(published.get(0).getValue().subject()).isEqualTo("carts/c1");
    }

    @Test
    void aWriteAtTheEndOfAChainOfChangeEventsIsRefusedAsALoop() {
        docs.putCollection(P, "c", json("{\"changesTopic\":\"t\"}"));
        docs.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "c", "a", json("{}"), null), Documents.MAX_HOPS - 1);
        assertThat(json(new String(published.getFirst().getValue().data())).get("hops").asInt()).isEqualTo(Documents.MAX_HOPS);
        assertApi(() -> docs.write(Access.ADMIN, P, new Write(Write.Kind.REPLACE, "c", "a", json("{}"), null),
                Documents.MAX_HOPS), 508, "ChangeLoop");
        assertThat(docs.get(Access.ADMIN, P, "c", "a").version()).isEqualTo(1);
    }

    @Test
    void aChangeCommittedButNotPublishedGoesOutWhenTheNodeStartsAgainWithItsOwnId() {
        docs.putCollection(P, "carts", json("{\"changesTopic\":\"cart-changes\"}"));
        List<CloudEvent> delivered = new CopyOnWriteArrayList<>();
        boolean[] down = {true};
        TopicSink flaky = new TopicSink() {
            @Override
            public boolean exists(String project, String topic) {
                return true;
            }

            @Override
            public void publish(String project, String topic, CloudEvent event) {
                if (down[0]) {
                    throw new IllegalStateException("the bus is down");
                }
                delivered.add(event);
            }
        };
        Documents first = new Documents(test.db(), flaky, clock);
        first.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "carts", "c1", json("{\"n\":1}"), null), 0);
        first.write(Access.ADMIN, P, new Write(Write.Kind.PATCH, "carts", "c1", json("{\"n\":2}"), null), 0);
        assertThat(delivered).isEmpty();
        assertThat(first.get(Access.ADMIN, P, "carts", "c1").version()).isEqualTo(2); // the writes stand

        down[0] = false;
        Documents restarted = new Documents(test.reopen(), flaky, clock);
        restarted.recover();
        assertThat(delivered).extracting(CloudEvent::type).containsExactly("document.created", "document.updated");
        String firstId = delivered.getFirst().id();
        restarted.recover(); // nothing left: nothing published twice
        assertThat(delivered).hasSize(2);
        assertThat(firstId).startsWith("db:shop:carts:").endsWith(":1");
    }

    static List<String> ids(List<String> frames) {
        return frames.stream().map(f -> f.substring(4, f.indexOf('\n'))).toList();
    }

    @Test
    void aListenerResumesAfterItsLastEventIdAndGetsEveryChangeInOrder() {
        docs.putCollection(P, "c", json("{}"));
        ChangeStream fromNow = docs.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, null);
        assertThat(fromNow.frames()).isEmpty();
        for (int i = 1; i <= 5; i++) {
            docs.write(Access.ADMIN, P, new Write(Write.Kind.REPLACE, "c", "d" + (i % 2), json("{\"i\":" + i + "}"), null), 0);
        }
        docs.write(Access.ADMIN, P, new Write(Write.Kind.DELETE, "c", "d0", null, null), 0);
        List<String> frames = fromNow.frames();
        assertThat(ids(frames)).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(frames.get(0)).contains("event: document.created").contains("\"i\":1");
        assertThat(frames.get(2)).contains("event: document.updated");
        assertThat(frames.get(5)).contains("event: document.deleted");
        assertThat(fromNow.frames()).isEmpty();
        // a client that had seen event 4 reconnects and misses nothing
        assertThat(ids(docs.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, 4L).frames())).containsExactly("5", "6");
    }

    @Test
    void aListenerBehindTheRetentionWindowOrAheadOfTheLogIsToldToResync() {
        Documents shortMemory = new Documents(test.db(), capture, clock, Duration.ofMinutes(5));
        shortMemory.putCollection(P, "c", json("{}"));
        for (int i = 0; i < 3; i++) {
            shortMemory.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "c", "d" + i, json("{}"), null), 0);
        }
        clock.advance(Duration.ofMinutes(10));
        shortMemory.changeLog.prune();
        shortMemory.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "c", "d9", json("{}"), null), 0);
        ChangeStream behind = shortMemory.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, 1L);
        List<String> frames = behind.frames();
        assertThat(frames).singleElement().satisfies(f -> assertThat(f).startsWith("id: 4\nevent: resync"));
        assertThat(behind.frames()).isEmpty(); // continues from the head
        assertThat(shortMemory.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, 99L).frames()).singleElement()
                .satisfies(f -> assertThat(f).contains("event: resync"));
        // one that kept up misses nothing
        assertThat(ids(shortMemory.listen(Access.ADMIN, P, "c", ChangeStream.Target.ALL, 3L).frames())).containsExactly("4");
    }

    static final String OWNER_RULES = """
            {"rules": {
              "read": "request.auth != null && resource.data.owner == request.auth.uid",
              "list": "request.auth != null && resource.data.owner == request.auth.uid",
              "create": "request.auth != null && request.data.owner == request.auth.uid",
              "update": "request.auth != null && resource.data.owner == request.auth.uid && request.data.owner == resource.data.owner",
              "delete": "request.auth != null && resource.data.owner == request.auth.uid"}}""";

    @Test
    void rulesLetAUserReadAndWriteOnlyTheirOwnDocuments() {
        docs.putCollection(P, "carts", json(OWNER_RULES));
        Access alice = Access.user(new RequestAuth("alice", Map.of()));
        Access bob = Access.user(new RequestAuth("bob", Map.of()));
        docs.write(alice, P, new Write(Write.Kind.CREATE, "carts", "a1", json("{\"owner\":\"alice\"}"), null), 0);
        docs.write(bob, P, new Write(Write.Kind.CREATE, "carts", "b1", json("{\"owner\":\"bob\"}"), null), 0);
        assertApi(() -> docs.write(bob, P, new Write(Write.Kind.CREATE, "carts", "b2", json("{\"owner\":\"alice\"}"), null), 0),
                403, "AccessDenied", "create");
        assertThat(docs.get(alice, P, "carts", "a1").id()).isEqualTo("a1");
        assertApi(() -> docs.get(bob, P, "carts", "a1"), 403, "AccessDenied", "read");
        assertApi(() -> docs.get(Access.anonymous(), P, "carts", "a1"), 403, "AccessDenied");
        assertApi(() -> docs.write(bob, P, new Write(Write.Kind.PATCH, "carts", "a1", json("{\"x\":1}"), null), 0), 403,
                "AccessDenied", "update");
        // an update may not hand the document to someone else
        assertApi(() -> docs.write(alice, P, new Write(Write.Kind.PATCH, "carts", "a1", json("{\"owner\":\"bob\"}"), null), 0),
                403, "AccessDenied", "update");
        assertApi(() -> docs.write(bob, P, new Write(Write.Kind.DELETE, "carts", "a1", null, null), 0), 403, "AccessDenied");
        // the list rule is a filter (ADR 0033): a user's list holds their own documents, whatever it asks
        Query own = Query.parse(json("{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"alice\"}}"));
        assertThat((docs.query(alice, P, "carts", own)).documents()).extracting(Document::id)
                .containsExactly("a1");
        assertThat((docs.query(alice, P, "carts", Query.parse(json("{}")))).documents()).extracting(Document::id)
                .containsExactly("a1");
        assertThat((docs.query(bob, P, "carts", Query.parse(json("{\"count\":true}")))).count()).isEqualTo(1L);
        // asking for someone else's is refused, not emptied; so is a list by nobody
        assertApi(() -> docs.query(bob, P, "carts", own), 403, "AccessDenied", "owner");
        assertApi(() -> docs.query(Access.anonymous(), P, "carts", Query.parse(json("{}"))), 403, "AccessDenied",
                "request.auth != null");
        // a crafted OR cannot widen it: the rule's condition is ANDed to it
        assertThat(docs.query(alice, P, "carts", Query.parse(json("""
                {"where": {"or": [{"field": "owner", "op": "==", "value": "alice"},
                                  {"field": "owner", "op": "==", "value": "bob"}]}}"""))).documents())
                .extracting(Document::id).containsExactly("a1");
        // a list rule that is no filter (an OR over the resource) must still be proved by the query
        docs.putCollection(P, "notes", json("""
                {"rules": {"list": "resource.data.public == true || resource.data.owner == request.auth.uid"}}"""));
        docs.write(Access.ADMIN, P, new Write(Write.Kind.CREATE, "notes", "n1", json("{\"owner\":\"bob\"}"), null), 0);
        assertApi(() -> docs.query(alice, P, "notes", Query.parse(json("{}"))), 403, "AccessDenied", "list");
        assertThat(docs.query(alice, P, "notes", Query.parse(json(
                "{\"where\":{\"field\":\"public\",\"op\":\"==\",\"value\":true}}"))).documents()).isEmpty();
        // IAM principals are not judged by rules
        assertThat((docs.query(Access.ADMIN, P, "carts", Query.parse(json("{}")))).documents()).hasSize(2);
        // a transaction's reads are judged too
        assertApi(() -> docs.commit(bob, P, List.of(new Documents.Read("carts", "a1", 1)),
                List.of(new Write(Write.Kind.PATCH, "carts", "b1", json("{\"n\":1}"), null)), 0), 403, "AccessDenied");
        assertThat(docs.get(Access.ADMIN, P, "carts", "b1").version()).isEqualTo(1);
        // a listener sees only the changes of documents its user may read, deletions included
        ChangeStream alicesView = docs.listen(alice, P, "carts", ChangeStream.Target.ALL, 0L);
        docs.write(bob, P, new Write(Write.Kind.DELETE, "carts", "b1", null, null), 0);
        docs.write(alice, P, new Write(Write.Kind.DELETE, "carts", "a1", null, null), 0);
        List<String> frames = alicesView.frames();
        assertThat(frames).allSatisfy(f -> assertThat(f).doesNotContain("\"bob\""));
        assertThat(frames).extracting(f -> f.substring(f.indexOf("event: ") + 7, f.indexOf("\ndata")))
                .containsExactly("document.created", "document.deleted");
        assertApi(() -> docs.listen(alice, P, "nope", ChangeStream.Target.ALL, 0L), 404, "CollectionNotFound");
    }

    @Test
    void withoutRulesEndUsersGetNothing() {
        docs.putCollection(P, "open", json("{}"));
        create("open", "x", "{}");
        Access alice = Access.user(new RequestAuth("alice", Map.of("admin", true)));
        assertApi(() -> docs.get(alice, P, "open", "x"), 403, "AccessDenied");
        assertApi(() -> docs.write(alice, P, new Write(Write.Kind.CREATE, "open", "y", json("{}"), null), 0), 403,
                "AccessDenied");
    }
}
