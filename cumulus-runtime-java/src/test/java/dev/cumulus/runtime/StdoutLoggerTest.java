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

class StdoutLoggerTest {
    @Test
    void writesOneLinePerMessageInTheStreamsCharset() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutLogger logger = new StdoutLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        logger.log("plain");
        logger.log("ends with a newline\n");
        logger.log(null);
        logger.log("é 中文 😀");
        logger.log("");

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("plain\nends with a newline\nnull\né 中文 😀\n\n");
        ByteArrayOutputStream latin1 = new ByteArrayOutputStream();
        new StdoutLogger(new PrintStream(latin1, true, StandardCharsets.ISO_8859_1)).log("é");
        assertThat(latin1.toByteArray()).containsExactly(0xE9, '\n');
    }

    @Test
    void linesFromManyThreadsAndTheFunctionsOwnPrintsArriveWholeAndInEachThreadsOrder() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StdoutLogger logger = new StdoutLogger(out);
        int threads = 32;
        int lines = 500;
        String padding = "x".repeat(300); // longer than System.out's buffer slice, so a torn write would show
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            started.add(Thread.ofVirtual().start(() -> {
                start.countDown();
                for (int i = 0; i < lines; i++) {
                    if (i % 2 == 0) {
                        logger.log("t" + id + " " + i + " " + padding);
                    } else {
                        out.println("t" + id + " " + i + " " + padding); // System.out in the function
                    }
                }
            }));
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join();
        }

        String[] written = bytes.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertThat(written).hasSize(threads * lines + 1);
        assertThat(written[written.length - 1]).isEmpty();
        Map<String, Integer> next = new HashMap<>();
        for (int k = 0; k < written.length - 1; k++) {
            String[] parts = written[k].split(" ");
            assertThat(parts).as("line %d whole", k).hasSize(3);
            assertThat(parts[2]).isEqualTo(padding);
            int expected = next.getOrDefault(parts[0], 0);
            assertThat(Integer.parseInt(parts[1])).as("order of %s", parts[0]).isEqualTo(expected);
            next.put(parts[0], expected + 1);
        }
        assertThat(next).hasSize(threads).allSatisfy((thread, count) -> assertThat(count).isEqualTo(lines));
    }
}
