package com.example.shop;

import dev.cumulus.function.Context;
import dev.cumulus.function.Documents;
import dev.cumulus.function.Documents.Document;
import dev.cumulus.function.RequestHandler;
import dev.cumulus.function.ServiceException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/checkout} ({@code auth: user}): turns the caller's cart into an order. The cart
 * ({@code carts/<uid>}) is read as the caller the node verified ({@code asCaller()}), so the carts' rules decide that it is
 * theirs; the products are read, their stock decremented, the order created and the cart emptied
 * as the function's role, in ONE transaction whose read set holds every product's and the cart's
 * version: a checkout racing this one for the same stock makes one of them conflict, and the
 * loser reads again and then either succeeds or answers {@code 409 OutOfStock}. Stock never goes
 * negative and nothing is half-written.
 */
public class Checkout implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Tries after a conflict: each one means another checkout committed in between. */
    static final int ATTEMPTS = 8;
    static final int MAX_LINES = 50;
    static final int MAX_QUANTITY = 100;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        String uid = context.user().map(u -> u.id()).orElse(null);
        if (uid == null) {
            return answer(401, Map.of("error", "Unauthorized", "message", "checkout needs a signed-in user"));
        }
        // the user the node verified for this invocation: the function never handles their token
        Documents asUser = context.documents().asCaller();
        Documents asShop = context.documents();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return attempt(uid, asUser, asShop, context);
            } catch (Refusal r) {
                return answer(r.status, Map.of("error", r.code, "message", r.getMessage()));
            } catch (ServiceException e) {
                if (e.status() != 409 || !"TransactionConflict".equals(e.errorType())) {
                    throw e;
                }
                context.logger().log("checkout for " + uid + " conflicted (attempt " + attempt + "), reading again");
            }
        }
        return answer(409, Map.of("error", "Busy", "message", "the products changed too often; try again"));
    }

    private Map<String, Object> attempt(String uid, Documents asUser, Documents asShop, Context context) {
        Document cart = cartOf(uid, asUser);
        List<Line> lines = lines(cart);
        List<Map<String, Object>> reads = new ArrayList<>();
        List<Map<String, Object>> writes = new ArrayList<>();
        reads.add(Map.of("collection", "carts", "id", uid, "version", cart.version()));
        List<Map<String, Object>> ordered = new ArrayList<>();
        long total = 0;
        for (Line line : lines) {
            Document product = asShop.get("products", line.product)
                    .orElseThrow(() -> new Refusal(400, "UnknownProduct", "no product " + line.product));
            long stock = number(product.data().get("stock"));
            long price = number(product.data().get("price"));
            if (stock < line.quantity) {
                throw new Refusal(409, "OutOfStock", "only " + stock + " of " + line.product + " left");
            }
            reads.add(Map.of("collection", "products", "id", line.product, "version", product.version()));
            writes.add(Map.of("op", "patch", "collection", "products", "id", line.product,
                    "data", Map.of("stock", stock - line.quantity)));
            ordered.add(Map.of("product", line.product, "name", String.valueOf(product.data().get("name")),
                    "quantity", line.quantity, "price", price));
            total += price * line.quantity;
        }
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("owner", uid);
        order.put("items", ordered);
        order.put("total", total);
        order.put("status", "placed");
        order.put("requestId", context.requestId());
        writes.add(Map.of("op", "create", "collection", "orders", "data", order));
        writes.add(Map.of("op", "replace", "collection", "carts", "id", uid, "data", Map.of("owner", uid, "items", List.of())));
        List<Map<String, Object>> results = asShop.transaction(reads, writes);
        String orderId = String.valueOf(results.get(lines.size()).get("id"));
        context.logger().log("order " + orderId + " for " + uid + ": " + total);
        return answer(201, Map.of("orderId", orderId, "total", total));
    }

    /**
     * The caller's cart, read as the caller. An absent cart is a 403 to an end user as well (the
     * read rule sees no owner: the node does not tell which ids exist), and so is one at the
     * caller's id that another user made: either way the caller has no cart to check out.
     */
    private static Document cartOf(String uid, Documents asUser) {
        try {
            return asUser.get("carts", uid).orElseThrow(() -> new Refusal(400, "EmptyCart", "there is no cart to check out"));
        } catch (ServiceException e) {
            if (e.status() == 403) {
                throw new Refusal(400, "EmptyCart", "there is no cart of yours to check out");
            }
            throw e;
        }
    }

    private record Line(String product, long quantity) {}

    /** The cart's items, each {@code {product, quantity}}: validated before anything is read. */
    private static List<Line> lines(Document cart) {
        if (!(cart.data().get("items") instanceof List<?> items) || items.isEmpty()) {
            throw new Refusal(400, "EmptyCart", "the cart is empty");
        }
        if (items.size() > MAX_LINES) {
            throw new Refusal(400, "InvalidCart", "a cart holds at most " + MAX_LINES + " lines");
        }
        Map<String, Long> merged = new LinkedHashMap<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> m) || !(m.get("product") instanceof String product) || product.isEmpty()
                    || !(m.get("quantity") instanceof Number q) || q.doubleValue() != Math.floor(q.doubleValue())
                    || q.longValue() < 1 || q.longValue() > MAX_QUANTITY) {
                throw new Refusal(400, "InvalidCart", "each item needs a product and a quantity of 1-" + MAX_QUANTITY);
            }
            merged.merge(product, q.longValue(), Long::sum);
        }
        List<Line> lines = new ArrayList<>();
        merged.forEach((product, quantity) -> lines.add(new Line(product, quantity)));
        return lines;
    }

    private static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new Refusal(500, "InvalidProduct", "a product's price and stock must be numbers");
    }

    static Map<String, Object> answer(int status, Map<String, Object> body) {
        return Map.of("statusCode", status, "headers", Map.of("content-type", "application/json"),
                "body", Json.write(body));
    }

    /** A checkout that cannot be: answered with its status, never retried. */
    private static final class Refusal extends RuntimeException {
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
