package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class InvocationOutputTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final InvocationOutput output = InvocationOutput.over(
            new PrintStream(bytes, true, StandardCharsets.UTF_8), new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private static String tag(String requestId) {
        return "\u001e" + requestId + "\u001f";
    }

    private static final int LONG_LINE_PIECE = 64 * 1024;

    /**
     * Prints, as {@code requestId}, a line longer than the node keeps in pieces of
     * {@link #LONG_LINE_PIECE} bytes, then the line {@code next}; returns the long line.
     */
    private String longLineThenNext(String requestId) {
        String piece = "y".repeat(LONG_LINE_PIECE);
        int pieces = InvocationOutput.MAX_HELD_BYTES / piece.length() + 2;
        try (InvocationOutput.Scope ignored = output.enter(requestId)) {
            for (int i = 0; i < pieces; i++) {
                output.out().print(piece);
            }
            output.out().println();
            output.out().println("next");
        }
        return piece.repeat(pieces);
    }

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aLoggerWritesEachLineOfAMessageTaggedWithItsRequestInTheStreamsCharset() {
        StdoutLogger logger = new StdoutLogger(output, "r-1");

        logger.log("plain");
        logger.log("ends with a newline\n");
        logger.log(null);
        logger.log("é 中文 😀");
        logger.log("");
        logger.log("two\nlines");

        String t = tag("r-1");
        assertThat(written()).isEqualTo(t + "plain\n" + t + "ends with a newline\n" + t + "null\n" + t + "é 中文 😀\n"
                + t + "\n" + t + "two\n" + t + "lines\n");
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(latin1, true, StandardCharsets.ISO_8859_1);
        new StdoutLogger(InvocationOutput.over(stream, stream), "r").log("é");
        assertThat(latin1.toByteArray()).containsExactly(0x1e, 'r', 0x1f, 0xE9, '\n');
    }

    @Test
    void printsDuringAnInvocationAreTaggedAndPrintsOutsideOnePassThroughUnchanged() {
        output.out().println("before");
        try (InvocationOutput.Scope ignored = output.enter("r-2")) {
            output.out().print("half ");
            output.out().print("a line");
            output.err().println("to stderr");
            output.out().println(", whole");
            output.out().print("a\nb\nleft open");
        }
        output.out().println("after");

        String t = tag("r-2");
        assertThat(written()).isEqualTo("before\n" + t + "to stderr\n" + t + "half a line, whole\n" + t + "a\n" + t
                + "b\n" + t + "left open\n" + "after\n");
    }

    @Test
    void aLoggerHandedToAnotherThreadStillTagsItsOwnRequest() throws Exception {
        try (InvocationOutput.Scope ignored = output.enter("r-3")) {
            StdoutLogger other = new StdoutLogger(output, "r-4");
            Thread thread = Thread.ofVirtual().start(() -> other.log("from a pool thread"));
            thread.join();
            other.log("from the invocation's thread, for r-4");
            output.out().println("r-3's own");
        }

        assertThat(written()).isEqualTo(tag("r-4") + "from a pool thread\n" + tag("r-4")
                + "from the invocation's thread, for r-4\n" + tag("r-3") + "r-3's own\n");
    }

    @Test
    void aLineLongerThanTheNodeKeepsIsTaggedOnceAndArrivesWhole() {
        String line = longLineThenNext("r-5");

        assertThat(written()).isEqualTo(tag("r-5") + line + "\n" + tag("r-5") + "next\n");
    }

    @Test
    void withALineSinkTaggedLinesGoThereOneCallALineAndOtherOutputStaysOnThePipe() {
        List<String> sent = new ArrayList<>();
        output.sendLinesTo(line -> sent.add(new String(line, StandardCharsets.UTF_8)));
        output.out().println("before");
        try (InvocationOutput.Scope ignored = output.enter("r-6")) {
            output.out().print("half ");
            output.err().println("to stderr");
            output.out().println("a line");
            output.out().print("a\nb\nleft open");
            new StdoutLogger(output, "r-7").log("logger\nof another");
        }
        output.out().println("after");

        String t = tag("r-6");
        assertThat(sent).containsExactly(t + "to stderr\n", t + "half a line\n", t + "a\n", t + "b\n",
                tag("r-7") + "logger\n", tag("r-7") + "of another\n", t + "left open\n");
        assertThat(written()).isEqualTo("before\nafter\n");
    }

    @Test
    void withALineSinkALineLongerThanTheNodeKeepsLeavesAsItsCutStartAndTheNextLineFollowsIt() {
        List<String> sent = new ArrayList<>();
        output.sendLinesTo(line -> sent.add(new String(line, StandardCharsets.UTF_8)));
        longLineThenNext("r-8");

        // the node cuts a line at MAX_HELD_BYTES (tag counted) and drops its rest: the runtime sends no more of it
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).startsWith(tag("r-8") + "yyy").doesNotContain("\n")
                .hasSizeGreaterThan(InvocationOutput.MAX_HELD_BYTES + tag("r-8").length())
                .hasSizeLessThanOrEqualTo(InvocationOutput.MAX_HELD_BYTES + tag("r-8").length() + LONG_LINE_PIECE);
        assertThat(sent.get(1)).isEqualTo(tag("r-8") + "next\n");
        assertThat(written()).as("nothing of it on the pipe").isEmpty();
    }

    @Test
    void concurrentInvocationsLinesArriveWholeTaggedWithTheirOwnRequestAndInOrder() throws Exception {
        int invocations = 32;
        int lines = 500;
        String padding = "x".repeat(300); // longer than a PrintStream's encoder slice, so a torn write would show
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < invocations; t++) {
            String requestId = "req-" + t;
            started.add(Thread.ofVirtual().start(() -> {
                StdoutLogger logger = new StdoutLogger(output, requestId);
                try (InvocationOutput.Scope ignored = output.enter(requestId)) {
                    start.await();
                    for (int i = 0; i < lines; i++) {
                        if (i % 3 == 0) {
                            logger.log(requestId + " " + i + " " + padding);
                        } else if (i % 3 == 1) {
                            output.out().println(requestId + " " + i + " " + padding); // System.out in the function
                        } else {
                            output.out().print(requestId + " " + i + " ");
                            output.out().println(padding);
                        }
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join();
        }

        String[] written = written().split("\n", -1);
        assertThat(written).hasSize(invocations * lines + 1);
        assertThat(written[written.length - 1]).isEmpty();
        Map<String, Integer> next = new HashMap<>();
        for (int k = 0; k < written.length - 1; k++) {
            String line = written[k];
            assertThat(line).as("line %d tagged", k).startsWith("\u001e");
            String requestId = line.substring(1, line.indexOf('\u001f'));
            String[] parts = line.substring(line.indexOf('\u001f') + 1).split(" ");
            assertThat(parts).as("line %d whole", k).hasSize(3);
            assertThat(parts[0]).as("line %d tagged with its own request", k).isEqualTo(requestId);
            assertThat(parts[2]).isEqualTo(padding);
            int expected = next.getOrDefault(requestId, 0);
            assertThat(Integer.parseInt(parts[1])).as("order of %s", requestId).isEqualTo(expected);
            next.put(requestId, expected + 1);
        }
        assertThat(next).hasSize(invocations).allSatisfy((id, count) -> assertThat(count).isEqualTo(lines));
    }
}
