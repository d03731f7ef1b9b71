package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonBinderTest {
    enum Size { S, M, L }

    record Item(String sku, int qty, Size size) {}

    record Page<T>(List<T> items, int total) {}

    record Order(String id, List<Item> items, Map<String, List<Integer>> stats, int[] codes, String[][] grid,
            Optional<String> note, Set<Size> sizes, UUID ref, Instant at, BigDecimal price) {}

    static class GenericBox<T> {
        private List<T> contents;

        public List<T> getContents() {
            return contents;
        }

        public void setContents(List<T> contents) {
            this.contents = contents;
        }
    }

    static class ItemBox extends GenericBox<Item> {
        public String label;
        public final String fixed = "fixed";
        private long weight;

        public void setWeight(long weight) {
            this.weight = weight;
        }

        long weight() {
            return weight;
        }
    }

    record Primitives(int i, long l, double d, boolean b, char c, short s, byte y, float f) {}

    record Texts(String plain, String fromNumber, String fromObject) {}

    private static Object bind(String json, java.lang.reflect.Type type) {
        return JsonBinder.bind(JsonParser.parse(json), type);
    }

    @Test
    void bindsNestedRecordsCollectionsArraysEnumsAndValueTypes() {
        Order order = (Order) bind("""
                {"id":"o-1","items":[{"sku":"A","qty":2,"size":"M"},{"sku":"B","qty":"3","size":2}],
                 "stats":{"x":[1,2]},"codes":[7,8],"grid":[["a"],["b","c"]],"note":"leave at door",
                 "sizes":["S","S","L"],"ref":"123e4567-e89b-12d3-a456-426614174000",
                 "at":"2025-01-02T03:04:05Z","price":9.99,"ignored":{"deep":[1]}}""", Order.class);

        assertThat(order.id()).isEqualTo("o-1");
        assertThat(order.items()).containsExactly(new Item("A", 2, Size.M), new Item("B", 3, Size.L));
        assertThat(order.stats()).isEqualTo(Map.of("x", List.of(1, 2)));
        assertThat(order.codes()).containsExactly(7, 8);
        assertThat(order.grid()).isDeepEqualTo(new String[][] {{"a"}, {"b", "c"}});
        assertThat(order.note()).contains("leave at door");
        assertThat(order.sizes()).isInstanceOf(LinkedHashSet.class).containsExactly(Size.S, Size.L);
        assertThat(order.ref()).isEqualTo(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        assertThat(order.at()).isEqualTo(Instant.parse("2025-01-02T03:04:05Z"));
        assertThat(order.price()).isEqualByComparingTo("9.99");
    }

    @Test
    void missingPropertiesTakeDefaults() {
        Order order = (Order) bind("{}", Order.class);
        assertThat(order.items()).isNull();
        assertThat(order.note()).isEmpty();
        assertThat(bind("{}", Primitives.class)).isEqualTo(new Primitives(0, 0, 0, false, '\0', (short) 0, (byte) 0, 0));
        assertThat(bind("{\"i\":null}", Primitives.class)).isEqualTo(bind("{}", Primitives.class));
    }

    @Test
    void bindsGenericRecordsThroughTheirTypeArguments() {
        Object page = bind("{\"items\":[{\"sku\":\"A\",\"qty\":1}],\"total\":1}", new TypeRef<Page<Item>>() {}.type());
        assertThat(page).isEqualTo(new Page<>(List.of(new Item("A", 1, null)), 1));
    }

    @Test
    void bindsPojosBySettersAndPublicFieldsResolvingInheritedTypeVariables() {
        ItemBox box = (ItemBox) bind("{\"label\":\"box\",\"fixed\":\"changed\",\"weight\":\"12\","
                + "\"contents\":[{\"sku\":\"Z\",\"qty\":5}]}", ItemBox.class);

        assertThat(box.label).isEqualTo("box");
        assertThat(box.fixed).isEqualTo("fixed");
        assertThat(box.weight()).isEqualTo(12);
        assertThat(box.getContents()).containsExactly(new Item("Z", 5, null));
    }

    @Test
    void bindsNestedGenericMapsAndLists() {
        Object value = bind("{\"a\":[{\"1\":[true]}],\"b\":[]}",
                new TypeRef<SortedMap<String, List<Map<Integer, List<Boolean>>>>>() {}.type());

        assertThat(value).isInstanceOf(TreeMap.class).isEqualTo(Map.of("a", List.of(Map.of(1, List.of(true))), "b", List.of()));
        assertThat(((Map<?, ?>) value).get("b")).isInstanceOf(ArrayList.class);
        assertThat(bind("[[1,2],[3]]", new TypeRef<List<Integer>[]>() {}.type()))
                .isEqualTo(new Object[] {List.of(1, 2), List.of(3)});
    }

    @Test
    void objectTargetsGetThePlainTree() {
        assertThat(bind("{\"a\":[1,2.5,null]}", Object.class)).isEqualTo(JsonParser.parse("{\"a\":[1,2.5,null]}"));
        assertThat(bind("{\"a\":1}", new TypeRef<Map<String, Object>>() {}.type())).isEqualTo(Map.of("a", 1));
    }

    @Test
    void primitivesAreCoercedOnlyWhenExact() {
        assertThat(bind("{\"i\":\"42\",\"l\":1.0,\"d\":\"2.5\",\"b\":\"true\",\"c\":\"x\",\"s\":7,\"y\":-8,\"f\":0.5}",
                Primitives.class)).isEqualTo(new Primitives(42, 1, 2.5, true, 'x', (short) 7, (byte) -8, 0.5f));
        assertThatThrownBy(() -> bind("{\"i\":1.5}", Primitives.class)).hasMessageContaining("expected an integer");
        assertThatThrownBy(() -> bind("{\"i\":3000000000}", Primitives.class)).hasMessageContaining("$.i");
        assertThatThrownBy(() -> bind("{\"y\":128}", Primitives.class)).hasMessageContaining("$.y");
        assertThatThrownBy(() -> bind("{\"b\":1}", Primitives.class)).hasMessageContaining("expected a boolean");
        assertThatThrownBy(() -> bind("{\"c\":\"xy\"}", Primitives.class)).hasMessageContaining("one-character");
        assertThatThrownBy(() -> bind("\"abc\"", int.class)).hasMessageContaining("expected a number");
    }

    @Test
    void errorsCarryTheJsonPath() {
        assertThatThrownBy(() -> bind("{\"items\":[{\"qty\":1},{\"qty\":{}}]}", Order.class))
                .isInstanceOf(JsonException.class)
                .hasMessageStartingWith("Cannot bind $.items[1].qty to int:");
        assertThatThrownBy(() -> bind("{\"items\":[{\"size\":\"XL\"}]}", Order.class))
                .hasMessageContaining("$.items[0].size").hasMessageContaining("\"XL\" is not one of [S, M, L]");
        assertThatThrownBy(() -> bind("[1]", Order.class)).hasMessageContaining("expected a JSON object, found an array");
        assertThatThrownBy(() -> bind("{\"items\":{}}", Order.class)).hasMessageContaining("expected a JSON array");
        assertThatThrownBy(() -> bind("{}", List.class.arrayType().arrayType().componentType().componentType()))
                .hasMessageContaining("expected a JSON array");
    }

    @Test
    void abstractTargetsAreRefused() {
        assertThatThrownBy(() -> bind("{}", Runnable.class)).hasMessageContaining("is abstract");
    }

    @Test
    void stringTargetsGetJsonStringsAsValuesAndAnythingElseAsText() {
        assertThat(decode("\"hi \\\"there\\\"\"", String.class)).isEqualTo("hi \"there\"");
        assertThat(decode(" {\"a\": 1} ", String.class)).isEqualTo(" {\"a\": 1} ");
        assertThat(decode("42", String.class)).isEqualTo("42");
        assertThat(decode("not json", String.class)).isEqualTo("not json");
        assertThat(decode("", String.class)).isNull();
        assertThat(bind("{\"plain\":\"p\",\"fromNumber\":1.5,\"fromObject\":{\"k\":[1]}}", Texts.class))
                .isEqualTo(new Texts("p", "1.5", "{\"k\":[1]}"));
    }

    @Test
    void invalidEventsAreReportedAsSuch() {
        assertThatThrownBy(() -> decode("{oops", Map.class)).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("The event is not valid JSON");
        assertThat(decode("  ", int.class)).isEqualTo(0);
    }

    @Test
    void resultsAreJson() {
        assertThat(encode(null)).isEqualTo("null");
        assertThat(encode("x")).isEqualTo("\"x\"");
        assertThat(encode(new Item("A", 1, Size.S))).isEqualTo("{\"sku\":\"A\",\"qty\":1,\"size\":\"S\"}");
        assertThat(encode(Optional.of(List.of(1)))).isEqualTo("[1]");
        assertThat(encode(Map.of(Size.M, new int[] {1}))).isEqualTo("{\"M\":[1]}");
    }

    @Test
    void cyclesFailInsteadOfOverflowing() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThatThrownBy(() -> encode(cycle)).isInstanceOf(JsonException.class).hasMessageContaining("cycle");
    }

    private static Object decode(String event, java.lang.reflect.Type type) {
        return EventCodec.decode(event.getBytes(StandardCharsets.UTF_8), type);
    }

    private static String encode(Object result) {
        return new String(EventCodec.encode(result), StandardCharsets.UTF_8);
    }
}
