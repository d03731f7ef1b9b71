package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T00:00:00Z"), ZoneOffset.UTC);
    private final LogStore store = new LogStore(3, Long.MAX_VALUE, CLOCK);

    @Test
    void keepsOnlyTheNewestLinesPerFunction() {
        for (int i = 1; i <= 5; i++) {
            store.append("f", "i1", "r" + i, "line " + i);
        }
        store.append("g", "i2", null, "other");
        assertThat(store.tail("f", 10)).extracting(LogLine::line).containsExactly("line 3", "line 4", "line 5");
        assertThat(store.tail("f", 2)).extracting(LogLine::line).containsExactly("line 4", "line 5");
        assertThat(store.tail("g", 10)).extracting(LogLine::requestId).containsExactly((String) null);
        assertThat(store.tail("none", 10)).isEmpty();
    }

    @Test
    void linesAreTaggedAndFindableByRequest() {
        store.append("f", "i1", "a", "one");
        store.append("f", "i1", "b", "two");
        store.append("f", "i1", "a", "three");
        assertThat(store.forRequest("f", "a")).extracting(LogLine::line).containsExactly("one", "three");
    }

    @Test
    void aBufferThatGrewAndTurnedOverManyTimesKeepsTheNewestLinesInOrderWithinBothLimits() {
        // more lines than the buffer starts with, then many times its capacity: it grows, wraps
        // around and drops its oldest by lines and by characters, lengths varying
        LogStore store = new LogStore(40, 300, CLOCK);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String line = i + ":" + "x".repeat(i % 17);
            all.add(line);
            store.appendLines("default", "f", "i1", i % 3 == 0 ? "r0" : "r" + i, line);
        }
        List<String> expected = new ArrayList<>();
        int chars = 0;
        for (int i = all.size() - 1; i >= 0 && expected.size() < 40 && chars + all.get(i).length() <= 300; i--) {
            expected.addFirst(all.get(i));
            chars += all.get(i).length();
        }
        assertThat(store.tail("f", 1_000)).extracting(LogLine::line).containsExactlyElementsOf(expected);
        assertThat(store.tail("f", 3)).extracting(LogLine::line)
                .containsExactlyElementsOf(expected.subList(expected.size() - 3, expected.size()));
        assertThat(store.tail("f", 1_000)).extracting(LogLine::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(store.forRequest("f", "r0")).extracting(LogLine::line)
                .containsExactlyElementsOf(expected.stream().filter(l -> Integer.parseInt(l.split(":")[0]) % 3 == 0).toList());
    }

    @Test
    void followersSeeNewLinesUntilClosed() throws InterruptedException {
        store.append("f", "i1", "a", "before");
        try (LogStore.Follower follower = store.follow("f")) {
            store.append("f", "i1", "a", "after");
            assertThat(follower.poll(1_000).line()).isEqualTo("after");
            assertThat(follower.poll(10)).isNull();
        }
        store.append("f", "i1", "a", "unseen");
        assertThat(store.tail("f", 1).getFirst().line()).isEqualTo("unseen");
    }

    @Test
    void keepsNoMoreCharactersThanItsCapacityHoweverFewTheLines() {
        LogStore small = new LogStore(1_000, 10, CLOCK);
        small.append("f", "i1", "a", "12345");
        small.append("f", "i1", "a", "67890");
        assertThat(small.tail("f", 10)).extracting(LogLine::line).containsExactly("12345", "67890");
        small.append("f", "i1", "a", "abc");
        assertThat(small.tail("f", 10)).extracting(LogLine::line).containsExactly("67890", "abc");
        small.append("f", "i1", "a", "x".repeat(11));
        assertThat(small.tail("f", 10)).as("a line longer than the capacity pushes out everything, itself too")
                .isEmpty();
        small.append("f", "i1", "a", "after");
        assertThat(small.tail("f", 10)).extracting(LogLine::line).containsExactly("after");
    }

    @Test
    void aFollowerThatFallsBehindKeepsOnlyItsNewestLines() throws InterruptedException {
        String fourMiB = "x".repeat(4 * 1024 * 1024);
        try (LogStore.Follower follower = store.follow("f")) {
            store.append("f", "i1", "a", "first");
            store.append("f", "i1", "a", fourMiB);
            assertThat(follower.poll(1_000).line()).as("the oldest pending line went to make room").isEqualTo(fourMiB);
            store.append("f", "i1", "a", "last");
            assertThat(follower.poll(1_000).line()).isEqualTo("last");
            assertThat(follower.poll(10)).isNull();
        }
    }

    @Test
    void droppingAFunctionForgetsItsLines() {
        store.append("f", "i1", "a", "x");
        store.drop("f");
        assertThat(store.tail("f", 10)).isEmpty();
    }

    @Test
    void linesAppendedTogetherKeepTheirOrderInTheBufferAndForFollowers() throws InterruptedException {
        try (LogStore.Follower follower = store.follow("p", "f")) {
            store.appendLines("p", "f", "i1", "a", "END a", "REPORT a");
            assertThat(store.tail("p", "f", 10)).extracting(LogLine::line).containsExactly("END a", "REPORT a");
            assertThat(store.tail("p", "f", 10).get(1).sequence()).isGreaterThan(store.tail("p", "f", 10).get(0).sequence());
            assertThat(store.tail("f", 10)).as("another project's function of that name").isEmpty();
            assertThat(follower.poll(1_000).line()).isEqualTo("END a");
            assertThat(follower.poll(1_000).line()).isEqualTo("REPORT a");
        }
    }
}
