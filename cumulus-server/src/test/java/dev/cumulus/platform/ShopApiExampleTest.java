package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/shop-api end to end on a real node, wired as its deploy.sh wires it (the same
 * collection settings and role policies, read from the example): checkout turns a cart into an
 * order in one transaction; two checkouts racing for the last item end with exactly one order
 * and stock 0; a user reads neither another's cart nor their orders, and writes no order; the
 * inventory alert fires once when stock falls below the threshold.
 */
class ShopApiExampleTest {
    static final Path EXAMPLE_JAR = Path.of(System.getProperty("cumulus.example.shop.jar"));
    static final Path EXAMPLE_DIR = Path.of("..", "examples", "shop-api");
    /** Named by the path: an end user's token is accepted on its own project's db routes only there. */
    static final String DB = "/v1/projects/default/db/collections/";
    private static final Duration DELIVERY = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;

    static TestNode node;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
        deploy(node);
        product("apple", "apple", 120, 10);
        product("fig", "fig", 300, 1);
        product("pear", "pear", 150, 5);
        product("plum", "plum", 80, 10);
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** What deploy.sh does, through the REST API. */
    static void deploy(TestNode node) throws IOException {
        for (String collection : new String[] {"products", "carts", "orders"}) {
            HttpResponse<String> put = node.send("PUT", DB + collection,
                    Files.readString(EXAMPLE_DIR.resolve("collections/" + collection + ".json")));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
        role(node, "shop-checkout", "checkout-policy.json");
        role(node, "shop-inventory-alert", "inventory-alert-policy.json");
        String code = node.upload(EXAMPLE_JAR);
        node.deploy("checkout", "com.example.shop.Checkout", Map.of("role", "shop-checkout"), code);
        node.deploy("inventory-alert", "com.example.shop.InventoryAlert", Map.of("role", "shop-inventory-alert",
                "environment", Map.of("LOW_STOCK", "3", "ALERT_TOPIC", "inventory-alerts")), code);
        node.deploy("shop-page", "com.example.shop.ShopPage", Map.of("urlAuth", "none"), code);
        ok(node.send("POST", "/v1/routes", "{\"method\":\"POST\",\"path\":\"/checkout\",\"function\":\"checkout\",\"auth\":\"user\"}"), 201);
        ok(node.send("PUT", "/v1/topics/products-changes", null), 201);
        ok(node.send("PUT", "/v1/topics/inventory-alerts", null), 201);
        ok(node.send("POST", "/v1/topics/products-changes/subscriptions", TestNode.write(Map.of(
                "function", "inventory-alert", "filter", Map.of("type", "document.updated")))), 201);
    }

    static void role(TestNode node, String name, String policyFile) throws IOException {
        ok(node.send("POST", "/v1/roles", "{\"name\":\"" + name + "\",\"policy\":"
                + Files.readString(EXAMPLE_DIR.resolve(policyFile)) + "}"), 201);
    }

    static HttpResponse<String> ok(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isEqualTo(status);
        return response;
    }

    static void product(String id, String name, int price, int stock) {
        ok(node.send("PUT", DB + "products/documents/" + id, TestNode.write(Map.of("name", name, "price", price,
                "stock", stock))), 201);
    }

    static long stock(String product) {
        return TestNode.json(ok(node.send("GET", DB + "products/documents/" + product, null), 200))
                .path("data").path("stock").asLong();
    }

    record User(String id, String token) {}

    static User user() {
        JsonNode session = TestNode.json(ok(node.send("POST", "/v1/projects/default/auth/anonymous", null, null), 201));
        return new User(session.get("userId").asText(), session.get("accessToken").asText());
    }

    /** As the browser does: only the user's token. */
    static HttpResponse<String> as(User user, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url(path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            request.header("Authorization", "Bearer " + user.token());
        }
        return node.exchange(request.header("Content-Type", "application/json").build());
    }

    static void cart(User user, Map<String, Integer> items) {
        List<Map<String, Object>> lines = items.entrySet().stream()
                .map(e -> Map.<String, Object>of("product", e.getKey(), "quantity", e.getValue())).toList();
        HttpResponse<String> put = as(user, "PUT", DB + "carts/documents/" + user.id(),
                TestNode.write(Map.of("owner", user.id(), "items", lines)));
        assertThat(put.statusCode()).as(put.body()).isIn(200, 201);
    }

    static HttpResponse<String> checkout(User user) {
        return as(user, "POST", "/api/checkout", "{}");
    }

    @Test
    void checkoutTurnsTheCartIntoAnOrderAndDecrementsTheStock() {
        User ada = user();
        assertThat(TestNode.json(checkout(ada)).path("error").asText()).as("no cart yet").isEqualTo("EmptyCart");
        cart(ada, Map.of("apple", 2));
        JsonNode placed = TestNode.json(ok(checkout(ada), 201));
        assertThat(placed.get("total").asLong()).isEqualTo(240);
        JsonNode order = TestNode.json(ok(as(ada, "GET", DB + "orders/documents/" + placed.get("orderId").asText(), null), 200));
        assertThat(order.path("data").path("owner").asText()).isEqualTo(ada.id());
        assertThat(order.path("data").path("items").get(0).path("quantity").asInt()).isEqualTo(2);
        assertThat(stock("apple")).isEqualTo(8);
        JsonNode cart = TestNode.json(ok(as(ada, "GET", DB + "carts/documents/" + ada.id(), null), 200));
        assertThat(cart.path("data").path("items")).isEmpty();
        assertThat(TestNode.json(checkout(ada)).path("error").asText()).as("an empty cart").isEqualTo("EmptyCart");
        ok(as(null, "POST", "/api/checkout", "{}"), 401);
    }

    @Test
    void twoCheckoutsRacingForTheLastItemEndWithOneOrderAndNoNegativeStock() throws Exception {
        User first = user();
        User second = user();
        cart(first, Map.of("fig", 1));
        cart(second, Map.of("fig", 1));
        CyclicBarrier start = new CyclicBarrier(2);
        List<CompletableFuture<HttpResponse<String>>> racing = List.of(first, second).stream()
                .map(u -> CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return checkout(u);
                })).toList();
        List<HttpResponse<String>> answers = racing.stream().map(CompletableFuture::join).toList();
        assertThat(answers).as(answers.stream().map(HttpResponse::body).toList().toString())
                .extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(201, 409);
        HttpResponse<String> loser = answers.stream().filter(a -> a.statusCode() == 409).findFirst().orElseThrow();
        assertThat(TestNode.json(loser).path("error").asText()).isEqualTo("OutOfStock");
        assertThat(stock("fig")).isZero();
        JsonNode figOrders = TestNode.json(ok(node.send("POST", DB + "orders/query",
                "{\"limit\":1000}"), 200));
        long withFig = 0;
        for (JsonNode o : figOrders.get("documents")) {
            for (JsonNode item : o.path("data").path("items")) {
                if (item.path("product").asText().equals("fig")) {
                    withFig += item.path("quantity").asLong();
                }
            }
        }
        assertThat(withFig).as("figs ordered").isEqualTo(1);
    }

    @Test
    void aUserReadsNeitherAnothersCartNorTheirOrdersAndWritesNoOrder() {
        User ada = user();
        User bob = user();
        cart(ada, Map.of("plum", 1));
        String orderId = TestNode.json(ok(checkout(ada), 201)).get("orderId").asText();
        cart(ada, Map.of("plum", 1));

        ok(as(bob, "GET", DB + "carts/documents/" + ada.id(), null), 403);
        ok(as(bob, "PUT", DB + "carts/documents/" + ada.id(), TestNode.write(Map.of("owner", bob.id(), "items", List.of()))), 403);
        ok(as(bob, "GET", DB + "orders/documents/" + orderId, null), 403);
        ok(as(bob, "POST", DB + "orders/query", "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"" + ada.id() + "\"}}"), 403);
        // an unfiltered list is narrowed to bob's own orders by the rule (ADR 0033): none of ada's
        assertThat(TestNode.json(ok(as(bob, "POST", DB + "orders/query", "{}"), 200)).get("documents")).isEmpty();
        ok(as(ada, "POST", DB + "orders/documents", TestNode.write(Map.of("owner", ada.id(), "items", List.of(), "total", 0))), 403);
        ok(as(ada, "PATCH", DB + "orders/documents/" + orderId, "{\"total\":0}"), 403);
        JsonNode own = TestNode.json(ok(as(ada, "POST", DB + "orders/query",
                "{\"where\":{\"field\":\"owner\",\"op\":\"==\",\"value\":\"" + ada.id() + "\"}}"), 200));
        assertThat(own.get("documents")).extracting(d -> d.get("id").asText()).containsExactly(orderId);
        // anyone, signed in or a guest, reads the products
        ok(as(bob, "GET", DB + "products/documents/plum", null), 200);
    }

    @Test
    void theInventoryAlertFiresOnceWhenStockFallsBelowTheThreshold() {
        User buyer = user();
        for (int quantity : new int[] {1, 2, 1}) { // pear: 5 -> 4 -> 2 (below 3: alert) -> 1 (still below: none)
            cart(buyer, Map.of("pear", quantity));
            ok(checkout(buyer), 201);
        }
        assertThat(stock("pear")).isEqualTo(1);
        // every update of pear reached the function (versions 2, 3, 4), so no alert is still on its way
        await().atMost(DELIVERY).until(() -> logLines("checked pear ").size() >= 3);
        List<String> alerts = logLines("LOW STOCK pear");
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0)).contains("LOW STOCK pear: 2 left");
    }

    static List<String> logLines(String containing) {
        HttpResponse<String> response = node.send("GET", "/v1/functions/inventory-alert/logs?limit=10000", null);
        return response.body().lines().filter(l -> l.contains(containing)).toList();
    }
}
