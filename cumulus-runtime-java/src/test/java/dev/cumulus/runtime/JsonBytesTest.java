package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser reads UTF-8 bytes itself (issue 12): what it accepts and what it refuses must be
 * exactly what a strict decoder followed by a strict parser would, byte for byte.
 */
class JsonBytesTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] quoted(int... inner) {
        byte[] b = new byte[inner.length + 2];
        b[0] = '"';
        b[b.length - 1] = '"';
        for (int i = 0; i < inner.length; i++) {
            b[i + 1] = (byte) inner[i];
        }
        return b;
    }

    @Test
    void decodesEveryLengthOfUtf8SequenceInStringsAndNames() {
        String text = "{\"clé 中文 😀\":\"é ß 中文 😀 \\n after escape é\",\"a\":[\"\u0080\",\"\u07ff\",\"\u0800\",\"\uffff\",\"\ud800\udc00\",\"\udbff\udfff\"]}";
        Object tree = JsonParser.parse(text.getBytes(StandardCharsets.UTF_8));

        assertThat(tree).isEqualTo(Map.of("clé 中文 😀", "é ß 中文 😀 \n after escape é",
                "a", List.of("\u0080", "\u07ff", "\u0800", "\uffff", "\ud800\udc00", "\udbff\udfff")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C0 80", "C1 BF",             // overlong two-byte forms
        "E0 80 80", "E0 9F BF",       // overlong three-byte forms
        "ED A0 80", "ED BF BF",       // UTF-16 surrogates encoded as UTF-8
        "F0 80 80 80", "F0 8F BF BF", // overlong four-byte forms
        "F4 90 80 80", "F5 80 80 80", // past U+10FFFF
        "80", "BF",                   // a continuation byte alone
        "C3", "E2 82", "F0 9F 98",    // cut off before the closing quote
        "C3 28", "E2 28 A1", "F0 9F 28 80", // a non-continuation byte inside
        "FE", "FF",
    })
    void refusesMalformedUtf8InsideStrings(String hex) {
        String[] parts = hex.split(" ");
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Integer.parseInt(parts[i], 16);
        }
        assertThatThrownBy(() -> JsonParser.parse(quoted(values))).isInstanceOf(JsonException.class)
                .hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> JsonParser.decodeUtf8(quoted(values))).isInstanceOf(JsonException.class)
                .hasMessageContaining("UTF-8");
        // also where a slow path decodes it: after an escape
        byte[] escaped = new byte[values.length + 4];
        escaped[0] = '"';
        escaped[1] = '\\';
        escaped[2] = 'n';
        for (int i = 0; i < values.length; i++) {
            escaped[i + 3] = (byte) values[i];
        }
        escaped[escaped.length - 1] = '"';
        assertThatThrownBy(() -> JsonParser.parse(escaped)).isInstanceOf(JsonException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void acceptsTheEdgesOfEachUtf8Range() {
        assertThat(JsonParser.parse(quoted(0xC2, 0x80, 0xDF, 0xBF))).isEqualTo("\u0080\u07ff");
        assertThat(JsonParser.parse(quoted(0xE0, 0xA0, 0x80, 0xED, 0x9F, 0xBF, 0xEE, 0x80, 0x80))).isEqualTo("\u0800\ud7ff\ue000");
        assertThat(JsonParser.parse(quoted(0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF)))
                .isEqualTo(new String(Character.toChars(0x10000)) + new String(Character.toChars(0x10FFFF)));
    }

    @Test
    void refusesNonAsciiBytesOutsideStrings() {
        assertThatThrownBy(() -> JsonParser.parse(bytes('[', 0xC2, 0xA0, '1', ']')))
                .isInstanceOf(JsonException.class).hasMessage("Invalid JSON at offset 1: unexpected byte 0xC2");
    }

    @Test
    void escapesSpellAnyUtf16IncludingLoneSurrogatesAsBefore() {
        assertThat(JsonParser.parse("\"\\ud83d\\ude00\"".getBytes(StandardCharsets.UTF_8))).isEqualTo("😀");
        assertThat(JsonParser.parse("\"x\\ud800y\"".getBytes(StandardCharsets.UTF_8))).isEqualTo("x\ud800y");
        assertThat(JsonParser.parse("\"\\u00E9\\u4E2D\\u0000\"".getBytes(StandardCharsets.UTF_8))).isEqualTo("é中\0");
        // a long escaped string grows its buffer past the first guess
        String longText = "\\\"ab".repeat(5000);
        assertThat(JsonParser.parse(("\"" + longText + "\"").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("\"ab".repeat(5000));
        String mixed = "😀\\n".repeat(3000);
        assertThat(JsonParser.parse(("\"" + mixed + "\"").getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("😀\n".repeat(3000));
    }

    @Test
    void aStringArgumentWithALoneSurrogateIsRefusedNotAltered() {
        assertThatThrownBy(() -> JsonParser.parse("\"a\ud800b\"")).isInstanceOf(JsonException.class)
                .hasMessageContaining("lone surrogate");
        assertThat(JsonParser.parse("\"a\ud83d\ude00b\"")).isEqualTo("a😀b");
    }

    @Test
    void errorOffsetsCountBytes() {
        assertThatThrownBy(() -> JsonParser.parse("[\"é\", x]".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Invalid JSON at offset 7: unexpected character 'x'");
        assertThatThrownBy(() -> JsonParser.parse("\"ab\\qc\"".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Invalid JSON at offset 4: invalid escape '\\q'");
        assertThatThrownBy(() -> JsonParser.parse("\"ab\tc\"".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("Invalid JSON at offset 3: unescaped control character in string");
    }

    @Test
    void integersAtTheDigitCountBoundariesKeepTheirValueAndType() {
        assertThat(JsonParser.parse("999999999")).isEqualTo(999999999);
        assertThat(JsonParser.parse("-999999999")).isEqualTo(-999999999);
        assertThat(JsonParser.parse("999999999999999999")).isEqualTo(999999999999999999L);
        assertThat(JsonParser.parse("-999999999999999999")).isEqualTo(-999999999999999999L);
        assertThat(JsonParser.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(JsonParser.parse("-9223372036854775809")).isEqualTo(new java.math.BigInteger("-9223372036854775809"));
        assertThat(JsonParser.parse("0000000000000000001".substring(18))).isEqualTo(1);
        assertThat(JsonParser.parse("-0.0")).isEqualTo(-0.0);
        assertThat(JsonParser.parse("[-0,12,3.5e1]")).isEqualTo(List.of(0, 12, 35.0));
    }

    @Test
    void randomBytesAreParsedOrRefusedAsAStrictDecoderAndJacksonWould() throws Exception {
        Random random = new Random(12);
        String alphabet = "{}[]\":,\\ntu0123456789.-eE aé中😀\t";
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int k = 0; k < length; k++) {
                sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            byte[] utf8 = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(4) == 0) {
                utf8[random.nextInt(utf8.length)] = (byte) (0x80 + random.nextInt(128)); // break the UTF-8 now and then
            }
            Object expected;
            try {
                String decoded = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(utf8)).toString();
                expected = JACKSON.readerFor(Object.class)
                        .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .readValue(decoded);
            } catch (Exception e) {
                expected = e;
            }
            if (expected instanceof Exception) {
                assertThatThrownBy(() -> JsonParser.parse(utf8)).as(sb.toString()).isInstanceOf(JsonException.class);
            } else if (expected instanceof Double d && d.isInfinite()) {
                // by design a number too large for a double stays exact instead of becoming infinite
                assertThat(JsonParser.parse(utf8)).as(sb.toString()).isInstanceOf(java.math.BigDecimal.class);
            } else {
                assertThat(JsonParser.parse(utf8)).as(sb.toString()).isEqualTo(expected);
                parsed++;
            }
        }
        assertThat(parsed).as("some random documents are valid").isGreaterThan(100);
    }

    static Map<String, Object> plain;
    static Map<String, Integer> typed;
    static HashMap<String, Object> hashMap;
    static SortedMap<String, Object> sorted;

    private static Type typeOf(String field) throws Exception {
        return JsonBytesTest.class.getDeclaredField(field).getGenericType();
    }

    @Test
    void anObjectBoundToMapOfObjectIsTheParsedMapAndOtherMapsAreStillBuilt() throws Exception {
        Object tree = JsonParser.parse("{\"b\":\"7\",\"a\":{\"x\":[1]}}");

        Object bound = JsonBinder.bind(tree, typeOf("plain"));
        assertThat(bound).isSameAs(tree).isInstanceOf(LinkedHashMap.class);
        assertThat(((Map<?, ?>) bound).keySet().toString()).isEqualTo("[b, a]");

        Object ints = JsonBinder.bind(JsonParser.parse("{\"b\":\"7\"}"), typeOf("typed"));
        assertThat(ints).isEqualTo(Map.of("b", 7));
        assertThat(JsonBinder.bind(tree, typeOf("hashMap"))).isInstanceOf(HashMap.class).isEqualTo(tree);
        assertThat(JsonBinder.bind(tree, typeOf("sorted"))).isInstanceOf(java.util.TreeMap.class).isEqualTo(tree);
    }
}
