package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {
    @Test
    void parsesEveryKindOfValueIntoPlainJavaTypes() {
        Object tree = JsonParser.parse(" {\"s\":\"x\",\"i\":1,\"l\":12345678901,\"b\":true,\"n\":null,"
                + "\"d\":1.5,\"a\":[1,[]],\"o\":{}} ");

        assertThat(tree).isInstanceOf(LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) tree;
        assertThat(map.keySet()).containsExactly("s", "i", "l", "b", "n", "d", "a", "o");
        assertThat(map.get("i")).isEqualTo(1);
        assertThat(map.get("l")).isEqualTo(12345678901L);
        assertThat(map.get("d")).isEqualTo(1.5);
        assertThat(map.get("b")).isEqualTo(true);
        assertThat(map.get("a")).isInstanceOf(ArrayList.class).isEqualTo(List.of(1, List.of()));
        assertThat(map.containsKey("n")).isTrue();
    }

    @Test
    void numbersTakeTheSmallestTypeThatFits() {
        assertThat(JsonParser.parse("2147483647")).isEqualTo(Integer.MAX_VALUE);
        assertThat(JsonParser.parse("-2147483648")).isEqualTo(Integer.MIN_VALUE);
        assertThat(JsonParser.parse("2147483648")).isEqualTo(2147483648L);
        assertThat(JsonParser.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(JsonParser.parse("9223372036854775808")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(JsonParser.parse("0")).isEqualTo(0);
        assertThat(JsonParser.parse("-0")).isEqualTo(0);
        assertThat(JsonParser.parse("1e2")).isEqualTo(100.0);
        assertThat(JsonParser.parse("-1.25E-2")).isEqualTo(-0.0125);
        assertThat(JsonParser.parse("1e400")).isEqualTo(new BigDecimal("1e400"));
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertThat(JsonParser.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té😀");
        assertThat(JsonParser.parse("\"é😀\"".getBytes(StandardCharsets.UTF_8))).isEqualTo("é😀");
    }

    @Test
    void toleratesAByteOrderMark() {
        byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '[', ']'};
        assertThat(JsonParser.parse(withBom)).isEqualTo(List.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{a:1}", "{'a':1}",
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "-Infinity", "tru", "nul",
        "True", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"tab\tinside\"", "\"nl\ninside\"",
        "[1] [2]", "1 2", "{\"a\":1}}", "// comment\n1", "/* c */ 1", "[1,2", "\u00a01",
    })
    void rejectsWhatRfc8259Rejects(String text) {
        assertThatThrownBy(() -> JsonParser.parse(text)).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("Invalid JSON at offset");
    }

    @Test
    void rejectsMalformedUtf8() {
        assertThatThrownBy(() -> JsonParser.parse(new byte[] {'"', (byte) 0xC3, '"'}))
                .isInstanceOf(JsonException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void limitsNestingInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> JsonParser.parse(deep)).isInstanceOf(JsonException.class)
                .hasMessageContaining("nesting deeper than");
        String fine = "[".repeat(JsonParser.MAX_DEPTH) + "]".repeat(JsonParser.MAX_DEPTH);
        assertThat(JsonParser.parse(fine)).isInstanceOf(List.class);
    }

    @Test
    void errorsSayWhere() {
        assertThatThrownBy(() -> JsonParser.parse("{\"a\": [1, 2,]}"))
                .hasMessage("Invalid JSON at offset 12: unexpected character ']'");
    }

    @Test
    void writesCompactJsonWithJacksonStyleEscapes() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("s", "q\"b\\n\n\u0001é/😀");
        tree.put("n", null);
        tree.put("list", Arrays.asList(1, 2L, 1.5, 1e20, 0.1f, true, new BigDecimal("1.10"), new BigInteger("123456789012345678901234567890")));
        tree.put("empty", Map.of());

        assertThat(JsonWriter.write(tree)).isEqualTo("{\"s\":\"q\\\"b\\\\n\\n\\u0001é/😀\",\"n\":null,"
                + "\"list\":[1,2,1.5,1.0E20,0.1,true,1.10,123456789012345678901234567890],\"empty\":{}}");
    }

    @Test
    void roundTripsThroughWriteAndParse() {
        String text = "{\"a\":[1,-2,3.25,\"x\\u0000y\",{\"b\":null,\"c\":[true,false]}],\"\":\"\",\"u\":\"😀\"}";
        Object tree = JsonParser.parse(text);
        assertThat(JsonWriter.write(tree)).isEqualTo(text);
        assertThat(JsonParser.parse(JsonWriter.writeUtf8(tree))).isEqualTo(tree);
    }

    @Test
    void refusesNumbersJsonCannotSpell() {
        assertThatThrownBy(() -> JsonWriter.write(List.of(Double.NaN))).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> JsonWriter.write(Double.POSITIVE_INFINITY)).isInstanceOf(JsonException.class);
    }

    @Test
    void refusesThingsThatAreNotTreeNodes() {
        assertThatThrownBy(() -> JsonWriter.write(new Object())).isInstanceOf(JsonException.class)
                .hasMessageContaining("not a JSON tree node");
    }
}
