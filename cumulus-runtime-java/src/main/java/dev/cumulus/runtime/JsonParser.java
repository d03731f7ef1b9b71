package dev.cumulus.runtime;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser to a tree of {@code LinkedHashMap}, {@code ArrayList}, {@code String},
 * {@code Boolean}, {@code null} and numbers.
 *
 * <p>Numbers follow Jackson's untyped mapping so that a function moved from Lambda sees the same
 * Java types: integers become Integer, Long or BigInteger, whichever is the smallest that fits,
 * and decimals become Double. A decimal too large for a double becomes a BigDecimal rather than
 * an infinity, because an infinity could not be written back as JSON.
 *
 * <p>It reads UTF-8 bytes, not chars: every event arrives as bytes, and decoding the whole text
 * before parsing it was half of the parse (issue 12's instance profile). Structure is ASCII, so
 * only the bytes inside strings are ever decoded, and a string of ASCII alone (almost every string
 * of an event) becomes a {@code String} by a plain copy. Malformed UTF-8 is rejected, never
 * replaced, as RFC 8259 section 8.1 asks. Error offsets count bytes.
 */
final class JsonParser {
    /** Deep enough for any real event, shallow enough never to overflow the stack. */
    static final int MAX_DEPTH = 512;

    private final byte[] in;
    private int pos;
    private int depth;

    private JsonParser(byte[] in, int start) {
        this.in = in;
        this.pos = start;
    }

    static Object parse(String text) {
        return parse(utf8(text));
    }

    static Object parse(byte[] utf8) {
        JsonParser parser = new JsonParser(utf8, hasByteOrderMark(utf8) ? 3 : 0);
        parser.skipWhitespace();
        Object value = parser.readValue();
        parser.skipWhitespace();
        if (parser.pos != utf8.length) {
            throw parser.error("unexpected content after the JSON value");
        }
        return value;
    }

    /** Rejects malformed UTF-8 instead of silently replacing it, as RFC 8259 section 8.1 asks. */
    static String decodeUtf8(byte[] utf8) {
        int start = hasByteOrderMark(utf8) ? 3 : 0;
        for (int i = start; i < utf8.length; ) {
            i = utf8[i] >= 0 ? i + 1 : endOfUtf8Sequence(utf8, i, utf8.length);
            if (i < 0) {
                throw new JsonException("JSON text is not valid UTF-8");
            }
        }
        return new String(utf8, start, utf8.length - start, StandardCharsets.UTF_8);
    }

    private static boolean hasByteOrderMark(byte[] utf8) {
        return utf8.length >= 3 && (utf8[0] & 0xFF) == 0xEF && (utf8[1] & 0xFF) == 0xBB && (utf8[2] & 0xFF) == 0xBF;
    }

    /**
     * A Java string as UTF-8. A lone surrogate cannot be encoded (the JDK would put a '?' in its
     * place and change the text silently), so it is refused.
     */
    private static byte[] utf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new JsonException("Invalid JSON: a lone surrogate at index " + i + " is not Unicode text");
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Where the UTF-8 sequence that starts with the non-ASCII byte at {@code i} ends, or -1 when it
     * is malformed: a stray continuation byte, an overlong form, a surrogate, a code point past
     * U+10FFFF, or a sequence cut off by {@code end} (RFC 3629, section 4).
     */
    private static int endOfUtf8Sequence(byte[] b, int i, int end) {
        int lead = b[i] & 0xFF;
        int length;
        int min = 0x80;
        int max = 0xBF; // the range of the second byte; the others are always 80..BF
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) {
                min = 0xA0; // overlong below U+0800
            } else if (lead == 0xED) {
                max = 0x9F; // surrogates U+D800..DFFF
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) {
                min = 0x90; // overlong below U+10000
            } else if (lead == 0xF4) {
                max = 0x8F; // past U+10FFFF
            }
        } else {
            return -1;
        }
        if (i + length > end) {
            return -1;
        }
        int second = b[i + 1] & 0xFF;
        if (second < min || second > max) {
            return -1;
        }
        for (int k = 2; k < length; k++) {
            if ((b[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        return i + length;
    }

    private Object readValue() {
        if (pos >= in.length) {
            throw error("unexpected end of input");
        }
        byte c = in[pos];
        switch (c) {
            case '{':
                return readObject();
            case '[':
                return readArray();
            case '"':
                return readString();
            case 't':
                return readLiteral(TRUE, Boolean.TRUE);
            case 'f':
                return readLiteral(FALSE, Boolean.FALSE);
            case 'n':
                return readLiteral(NULL, null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return readNumber();
                }
                throw error("unexpected " + printable(c));
        }
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private Map<String, Object> readObject() {
        enter();
        pos++;
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a property name in double quotes");
            }
            String name = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            object.put(name, readValue());
            skipWhitespace();
            byte c = next("expected ',' or '}'");
            if (c == '}') {
                depth--;
                return object;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> readArray() {
        enter();
        pos++;
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(readValue());
            skipWhitespace();
            byte c = next("expected ',' or ']'");
            if (c == ']') {
                depth--;
                return array;
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    /** ASCII bytes that stand for themselves inside a string: not a quote, a backslash or a control character. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int b = 0x20; b < 0x80; b++) {
            PLAIN[b] = b != '"' && b != '\\';
        }
    }

    /** Reads the string that starts at the quote at {@code pos}. */
    private String readString() {
        // fast path: most strings have no escapes, so they are one copy of their bytes. Locals, not
        // fields, in the loop: the instance's JIT is C1 (TieredStopAtLevel=1), which keeps fields in memory
        byte[] in = this.in;
        int start = pos + 1;
        int i = start;
        boolean ascii = true;
        while (i < in.length) {
            byte b = in[i];
            if (PLAIN[b & 0xFF]) {
                i++;
            } else if (b == '"') {
                pos = i + 1;
                return ascii ? new String(in, start, i - start, StandardCharsets.ISO_8859_1)
                        : new String(in, start, i - start, StandardCharsets.UTF_8);
            } else if (b < 0) {
                ascii = false;
                i = utf8Sequence(i);
            } else {
                break; // an escape or a control character
            }
        }
        pos = i;
        return readEscapedString(start);
    }

    /** Where the valid UTF-8 sequence at {@code i} ends; an error when it is not one. */
    private int utf8Sequence(int i) {
        int next = endOfUtf8Sequence(in, i, in.length);
        if (next < 0) {
            pos = i;
            throw error("the text is not valid UTF-8");
        }
        return next;
    }

    /**
     * The slow path: the string from its first byte at {@code start}, with escapes, control
     * characters or its end missing somewhere at or after {@code pos}. Decodes into a char array
     * (escapes may spell lone surrogates, which no UTF-8 could carry).
     */
    private String readEscapedString(int start) {
        char[] chars = new char[Math.max(16, pos - start + 16)];
        int n = 0;
        pos = start;
        while (true) {
            if (pos >= in.length) {
                throw error("unterminated string");
            }
            if (n + 2 > chars.length) {
                chars = Arrays.copyOf(chars, chars.length * 2);
            }
            byte b = in[pos];
            if (b == '"') {
                pos++;
                return new String(chars, 0, n);
            }
            if (b >= 0x20 && b != '\\') {
                chars[n++] = (char) b;
                pos++;
                continue;
            }
            if (b < 0) {
                n = decodeSequence(chars, n);
                continue;
            }
            if (b != '\\') {
                throw error("unescaped control character in string");
            }
            pos++;
            byte e = next("unterminated escape");
            switch (e) {
                case '"', '\\', '/' -> chars[n++] = (char) e;
                case 'b' -> chars[n++] = '\b';
                case 'f' -> chars[n++] = '\f';
                case 'n' -> chars[n++] = '\n';
                case 'r' -> chars[n++] = '\r';
                case 't' -> chars[n++] = '\t';
                case 'u' -> chars[n++] = readHex4();
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + (e >= 0x20 && e < 0x7F ? String.valueOf((char) e) : printable(e)) + "'");
                }
            }
        }
    }

    /** Decodes the UTF-8 sequence at {@code pos} (checked first) into {@code chars} at {@code n}; returns the new n. */
    private int decodeSequence(char[] chars, int n) {
        int end = utf8Sequence(pos);
        int lead = in[pos] & 0xFF;
        int codePoint = end - pos == 2 ? lead & 0x1F : end - pos == 3 ? lead & 0x0F : lead & 0x07;
        for (int k = pos + 1; k < end; k++) {
            codePoint = codePoint << 6 | (in[k] & 0x3F);
        }
        pos = end;
        return n + Character.toChars(codePoint, chars, n);
    }

    private String latin1(int start, int end) {
        return new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private char readHex4() {
        if (pos + 4 > in.length) {
            throw error("truncated \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(in[pos + i], 16);
            if (digit < 0) {
                throw error("invalid \\u escape");
            }
            value = value << 4 | digit;
        }
        pos += 4;
        return (char) value;
    }

    private Object readNumber() {
        int start = pos;
        boolean negative = peek() == '-';
        if (negative) {
            pos++;
        }
        byte c = peek();
        int digitsStart = pos;
        long magnitude = 0;
        if (c == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zeros are not allowed");
            }
        } else if (isDigit(c)) {
            while (isDigit(c = peek())) {
                magnitude = magnitude * 10 + (c - '0'); // exact while there are at most 18 digits
                pos++;
            }
        } else {
            throw error("expected a digit");
        }
        int digits = pos - digitsStart;
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) {
                throw error("expected a digit after the decimal point");
            }
            skipDigits();
        }
        c = peek();
        if (c == 'e' || c == 'E') {
            integral = false;
            pos++;
            c = peek();
            if (c == '+' || c == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("expected a digit in the exponent");
            }
            skipDigits();
        }
        if (integral && digits <= 18) {
            return narrow(negative ? -magnitude : magnitude);
        }
        String number = latin1(start, pos);
        if (integral) {
            BigInteger big = new BigInteger(number);
            return big.bitLength() < 64 ? narrow(big.longValue()) : big;
        }
        double d = Double.parseDouble(number);
        return Double.isInfinite(d) ? new BigDecimal(number) : d;
    }

    private static Number narrow(long value) {
        // Not a conditional expression: that would promote the Integer branch to Long.
        if (value == (int) value) {
            return Integer.valueOf((int) value);
        }
        return Long.valueOf(value);
    }

    private Object readLiteral(byte[] literal, Object value) {
        if (!Arrays.equals(in, pos, Math.min(pos + literal.length, in.length), literal, 0, literal.length)) {
            throw error("invalid literal, expected '" + new String(literal, StandardCharsets.US_ASCII) + "'");
        }
        pos += literal.length;
        return value;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private void skipDigits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        byte[] in = this.in;
        int i = pos;
        while (i < in.length) {
            byte c = in[i];
            if (c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r')) {
                break;
            }
            i++;
        }
        pos = i;
    }

    /** Returns NUL at the end, which no rule accepts, so callers need no bounds check. */
    private byte peek() {
        return pos < in.length ? in[pos] : 0;
    }

    private byte next(String endMessage) {
        if (pos >= in.length) {
            throw error(endMessage + ", found end of input");
        }
        return in[pos++];
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    /** A byte for an error message: an ASCII character as itself, anything else by its value. */
    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F ? "character '" + (char) b + "'"
                : b >= 0 ? String.format("character \\u%04x", b) : String.format("byte 0x%02X", b & 0xFF);
    }

    private JsonException error(String message) {
        return new JsonException("Invalid JSON at offset " + pos + ": " + message);
    }
}
