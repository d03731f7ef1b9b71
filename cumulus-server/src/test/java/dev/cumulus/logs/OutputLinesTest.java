package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputLinesTest {

    private static List<String> lines(String output, int maxLineBytes) throws IOException {
        List<String> lines = new ArrayList<>();
        OutputLines.pump(new ByteArrayInputStream(output.getBytes(StandardCharsets.UTF_8)), maxLineBytes, lines::add);
        return lines;
    }

    @Test
    void splitsAtNewlinesAndKeepsALastLineWithoutOne() throws IOException {
        assertThat(lines("one\ntwo\r\n\nthree", 100)).containsExactly("one", "two", "", "three");
        assertThat(lines("", 100)).isEmpty();
    }

    @Test
    void cutsALongLineAtTheLimitWithAMarkerAndDropsItsRest() throws IOException {
        assertThat(lines("abcdefghij\nabc\n", 4))
                .containsExactly("abcd" + OutputLines.cutMarker(4), "abc");
        assertThat(lines("abcd\nabcde", 4)).as("exactly the limit is kept whole")
                .containsExactly("abcd", "abcd" + OutputLines.cutMarker(4));
    }

    @Test
    void outputThatCameWholeIsSplitAsThePumpSplitsIt() {
        byte[] cut = "abcdefghij".getBytes(StandardCharsets.UTF_8);
        assertThat(whole("one\n".getBytes(StandardCharsets.UTF_8), 100)).containsExactly("one");
        assertThat(whole("two\r\n".getBytes(StandardCharsets.UTF_8), 100)).containsExactly("two");
        assertThat(whole("no newline".getBytes(StandardCharsets.UTF_8), 100)).containsExactly("no newline");
        assertThat(whole("\n".getBytes(StandardCharsets.UTF_8), 100)).containsExactly("");
        assertThat(whole(cut, 4)).containsExactly("abcd" + OutputLines.cutMarker(4));
        assertThat(whole("abcd\n".getBytes(StandardCharsets.UTF_8), 4)).as("the limit itself is kept whole")
                .containsExactly("abcd");
        assertThat(whole("a\nb\n".getBytes(StandardCharsets.UTF_8), 100)).as("a newline inside splits, as on the pipe")
                .containsExactly("a", "b");
    }

    private static List<String> whole(byte[] output, int maxLineBytes) {
        List<String> lines = new ArrayList<>();
        OutputLines.split(output, maxLineBytes, lines::add);
        return lines;
    }

    @Test
    void aLineSpanningManyReadsIsCutOnceAndTheNextLineIsKept() throws IOException {
        int limit = 256 * 1024;
        String huge = "x".repeat(1_000_000);
        List<String> lines = lines(huge + "\nnext\n", limit);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(limit + OutputLines.cutMarker(limit).length()).endsWith(OutputLines.cutMarker(limit));
        assertThat(lines.get(1)).isEqualTo("next");
    }

    @Test
    void outputWithoutANewlineNeverHoldsMoreThanOneLineLimit() throws IOException {
        // 64 MiB of zeros read from a stream that makes them up as it goes: only the cut line comes out
        long total = 64L * 1024 * 1024;
        InputStream endless = new InputStream() {
            long left = total;

            @Override
            public int read() {
                return left-- > 0 ? 'z' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'z');
                left -= n;
                return n;
            }
        };
        List<String> lines = new ArrayList<>();
        OutputLines.pump(endless, 1024, lines::add);
        assertThat(lines).containsExactly("z".repeat(1024) + OutputLines.cutMarker(1024));
    }
}
