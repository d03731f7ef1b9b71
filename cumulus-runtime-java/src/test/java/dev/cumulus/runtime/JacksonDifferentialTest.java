package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the runtime's codec honest against Jackson, which is what most JVM functions (and AWS's
 * own Java runtime) use: same trees from the same text, same JSON from the same objects, same
 * objects from the same JSON.
 */
class JacksonDifferentialTest {
    private static final ObjectMapper JACKSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static Stream<String> handWrittenDocuments() {
        return Stream.of(
                "null", "true", "false", "0", "-0", "1", "-1", "2147483647", "2147483648", "-2147483649",
                "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                "123456789012345678901234567890", "0.5", "-0.0", "1e3", "1E+3", "1.5e-7", "6.02214076e23",
                "3.141592653589793", "0.1", "1.7976931348623157e308", "4.9e-324", "100.000",
                "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\/\\\\\\\"\"",
                "\"émoji 😀 and 中文\"", "[]", "{}", "[[]]", "[{}]", "{\"\":{}}", " \t\n\r[ 1 , 2 ]\r\n",
                "{\"dup\":1,\"dup\":2}", "{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}",
                """
                {"version":"2.0","routeKey":"POST /orders","rawPath":"/orders","rawQueryString":"a=1&b=2",
                 "headers":{"content-type":"application/json","x-forwarded-for":"10.0.0.1"},
                 "requestContext":{"http":{"method":"POST","path":"/orders"},"timeEpoch":1718000000123},
                 "body":"{\\"sku\\":\\"A-1\\",\\"qty\\":2}","isBase64Encoded":false}""",
                """
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1",
                 "s3":{"bucket":{"name":"photos"},"object":{"key":"cat.jpg","size":1048576,"eTag":"abc"}}}]}""");
    }

    @ParameterizedTest
    @MethodSource("handWrittenDocuments")
    void parsesHandWrittenDocumentsLikeJackson(String json) throws Exception {
        assertThat(JsonParser.parse(json)).isEqualTo(JACKSON.readValue(json, Object.class));
    }

    @Test
    void parsesGeneratedDocumentsLikeJackson() throws Exception {
        Random random = new Random(20180601);
        for (int i = 0; i < 2_000; i++) {
            String json = new DocumentGenerator(random).document();
            Object mine = JsonParser.parse(json);
            Object theirs = JACKSON.readValue(json, Object.class);
            assertThat(mine).as(json).isEqualTo(theirs);
            assertThat(JACKSON.readTree(JsonWriter.write(mine))).as(json).isEqualTo(JACKSON.readTree(json));
        }
    }

    static Stream<String> invalidDocuments() {
        return Stream.of("", "{", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "-", "1.", ".5", "1e", "+1",
                "NaN", "Infinity", "tru", "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"tab\tinside\"", "[1] [2]",
                "// c\n1", "[1,2", "{\"a\" 1}", "[1 2]");
    }

    @ParameterizedTest
    @MethodSource("invalidDocuments")
    void rejectsWhatJacksonRejects(String json) {
        assertThatThrownBy(() -> JACKSON.readValue(json, Object.class)).as("Jackson").isInstanceOf(Exception.class);
        assertThatThrownBy(() -> JsonParser.parse(json)).as("runtime").isInstanceOf(JsonException.class);
    }

    public enum Color { RED, GREEN }

    public record Address(String street, int zip) {}

    public record Person(String name, int age, boolean active, Double score, List<Address> addresses,
            Map<String, Integer> tags, Color color, String[] nicknames, Address primary, byte[] photo,
            char initial, long big, float ratio, BigDecimal balance) {}

    public static class Account {
        private String owner;
        private long count;
        private List<String> items;
        private Color color;
        private Map<String, List<Integer>> nested;
        private boolean enabled;
        private String url;
        public int publicField;
        public transient int skipped = 9;

        public String getOwner() { return owner; }
        public void setOwner(String owner) { this.owner = owner; }
        public long getCount() { return count; }
        public void setCount(long count) { this.count = count; }
        public List<String> getItems() { return items; }
        public void setItems(List<String> items) { this.items = items; }
        public Color getColor() { return color; }
        public void setColor(Color color) { this.color = color; }
        public Map<String, List<Integer>> getNested() { return nested; }
        public void setNested(Map<String, List<Integer>> nested) { this.nested = nested; }
        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public String getURL() { return url; }
        public void setURL(String url) { this.url = url; }
        public String getComputed() { return owner == null ? null : owner + "!"; }
    }

    static Person person() {
        return new Person("Ada", 36, true, null, List.of(new Address("Main St", 12345), new Address("Elm", 0)),
                new LinkedHashMap<>(Map.of("x", 1)), Color.GREEN, new String[] {"a", "b"}, null,
                new byte[] {1, 2, 3, -1}, 'A', 1L << 40, 0.1f, new BigDecimal("12.25"));
    }

    static Account account() {
        Account a = new Account();
        a.setOwner("Grace \"Amazing\" Hopper\n");
        a.setCount(-7);
        a.setItems(Arrays.asList("x", null, "z"));
        a.setColor(Color.RED);
        a.setNested(Map.of("k", List.of(1, 2)));
        a.setEnabled(true);
        a.setURL("https://example.com/?q=1&r=2");
        a.publicField = 42;
        return a;
    }

    static Stream<Object> objects() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("person", person());
        map.put("accounts", List.of(account(), new Account()));
        map.put("ints", new int[] {1, 2, 3});
        map.put("matrix", new double[][] {{1.5, -2.25}, {1e-9, 1e21}});
        map.put("nothing", null);
        map.put("longs", List.of(Long.MAX_VALUE, Long.MIN_VALUE));
        return Stream.of(person(), account(), new Account(), map, List.of(Color.values()), "just a string",
                42, 1.5, true, new int[0], Map.of());
    }

    @ParameterizedTest
    @MethodSource("objects")
    void serialisesLikeJackson(Object value) throws Exception {
        JsonNode mine = JACKSON.readTree(JsonWriter.write(JsonUnbinder.toTree(value)));
        JsonNode theirs = JACKSON.readTree(JACKSON.writeValueAsString(value));
        assertThat(mine).isEqualTo(theirs);
    }

    @Test
    void recordPropertiesKeepComponentOrderLikeJackson() throws Exception {
        Address a = new Address("Main", 1);
        assertThat(JsonWriter.write(JsonUnbinder.toTree(a))).isEqualTo(JACKSON.writeValueAsString(a));
    }

    @Test
    void bindsRecordsLikeJackson() throws Exception {
        String json = JACKSON.writeValueAsString(person());
        Person mine = (Person) JsonBinder.bind(JsonParser.parse(json), Person.class);
        Person theirs = JACKSON.readValue(json, Person.class);
        JsonNode mineTree = JACKSON.valueToTree(mine);
        JsonNode theirTree = JACKSON.valueToTree(theirs);
        assertThat(mineTree).isEqualTo(theirTree);
    }

    @Test
    void bindsPojosLikeJackson() throws Exception {
        String json = JACKSON.writeValueAsString(account()).replaceFirst("\\{", "{\"unknown\":[1,{\"x\":2}],");
        Account mine = (Account) JsonBinder.bind(JsonParser.parse(json), Account.class);
        Account theirs = JACKSON.readValue(json, Account.class);
        JsonNode mineTree = JACKSON.valueToTree(mine);
        JsonNode theirTree = JACKSON.valueToTree(theirs);
        assertThat(mineTree).isEqualTo(theirTree);
    }

    @Test
    void coercesScalarsLikeJackson() throws Exception {
        String json = "{\"name\":12,\"age\":\"36\",\"active\":\"true\",\"score\":\"2.5\",\"big\":\"7\",\"ratio\":1,"
                + "\"initial\":\"z\",\"balance\":3,\"color\":\"RED\",\"tags\":{\"a\":\"5\"}}";
        Person mine = (Person) JsonBinder.bind(JsonParser.parse(json), Person.class);
        Person theirs = JACKSON.readValue(json, Person.class);
        JsonNode mineTree = JACKSON.valueToTree(mine);
        JsonNode theirTree = JACKSON.valueToTree(theirs);
        assertThat(mineTree).isEqualTo(theirTree);
    }

    /** Random but valid JSON text, with the spellings real producers use: escapes, exponents, spacing. */
    private record DocumentGenerator(Random random) {
        String document() {
            StringBuilder sb = new StringBuilder();
            value(sb, 0);
            return ws() + sb + ws();
        }

        private void value(StringBuilder sb, int depth) {
            int kind = random.nextInt(depth > 4 ? 6 : 8);
            switch (kind) {
                case 0 -> sb.append("null");
                case 1 -> sb.append(random.nextBoolean());
                case 2 -> sb.append(integer());
                case 3 -> sb.append(decimal());
                case 4, 5 -> string(sb);
                case 6 -> {
                    sb.append('[').append(ws());
                    int n = random.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        sb.append(i > 0 ? "," + ws() : "");
                        value(sb, depth + 1);
                        sb.append(ws());
                    }
                    sb.append(']');
                }
                default -> {
                    sb.append('{').append(ws());
                    int n = random.nextInt(5);
                    for (int i = 0; i < n; i++) {
                        sb.append(i > 0 ? "," + ws() : "");
                        string(sb);
                        sb.append(ws()).append(':').append(ws());
                        value(sb, depth + 1);
                        sb.append(ws());
                    }
                    sb.append('}');
                }
            }
        }

        private String integer() {
            return switch (random.nextInt(4)) {
                case 0 -> Integer.toString(random.nextInt(1000) - 500);
                case 1 -> Integer.toString(random.nextInt());
                case 2 -> Long.toString(random.nextLong());
                default -> new java.math.BigInteger(100, random).negate().toString();
            };
        }

        private String decimal() {
            String mantissa = (random.nextBoolean() ? "-" : "") + random.nextInt(1000) + "." + random.nextInt(100000);
            return switch (random.nextInt(3)) {
                case 0 -> mantissa;
                case 1 -> mantissa + (random.nextBoolean() ? "e" : "E") + (random.nextBoolean() ? "-" : "+")
                        + random.nextInt(300);
                default -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            };
        }

        private void string(StringBuilder sb) {
            sb.append('"');
            int n = random.nextInt(12);
            for (int i = 0; i < n; i++) {
                switch (random.nextInt(10)) {
                    case 0 -> sb.append("\\n\\t\\\"\\\\\\/");
                    case 1 -> sb.append(String.format("\\u%04x", random.nextInt(0x10000)));
                    case 2 -> sb.append("é中😀");
                    default -> sb.append((char) ('a' + random.nextInt(26)));
                }
            }
            sb.append('"');
        }

        private String ws() {
            return List.of("", "", "", " ", "\n", "\t ", "\r\n  ").get(random.nextInt(7));
        }
    }

    @Test
    void generatorProducesVariety() {
        Random random = new Random(1);
        List<String> docs = new ArrayList<>();
        IntStream.range(0, 50).forEach(i -> docs.add(new DocumentGenerator(random).document()));
        assertThat(docs).anyMatch(d -> d.contains("{")).anyMatch(d -> d.contains("[")).anyMatch(d -> d.contains("\\u"));
    }
}
