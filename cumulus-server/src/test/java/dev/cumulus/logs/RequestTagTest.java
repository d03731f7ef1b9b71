package dev.cumulus.logs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTagTest {
    @Test
    void aTaggedLineGivesItsRequestIdAndItsTextWithoutTheTag() {
        String line = "\u001e8f14e45f-ceea-467f-a8e2-6c4b1f0b2a77\u001fhello \u001e world";
        int end = RequestTag.end(line);
        assertThat(RequestTag.requestId(line, end)).isEqualTo("8f14e45f-ceea-467f-a8e2-6c4b1f0b2a77");
        assertThat(RequestTag.text(line, end)).isEqualTo("hello \u001e world");
        assertThat(RequestTag.text("\u001er\u001f", RequestTag.end("\u001er\u001f"))).isEmpty();
    }

    @Test
    void aLineIsUntaggedUnlessItStartsWithAWellFormedTag() {
        assertThat(RequestTag.end("")).isEqualTo(-1);
        assertThat(RequestTag.end("plain line")).isEqualTo(-1);
        assertThat(RequestTag.end(" \u001er\u001fnot at the start")).isEqualTo(-1);
        assertThat(RequestTag.end("\u001e\u001fempty id")).isEqualTo(-1);
        assertThat(RequestTag.end("\u001eno end")).isEqualTo(-1);
        assertThat(RequestTag.end("\u001ea b\u001fspace in the id")).isEqualTo(-1);
        assertThat(RequestTag.end("\u001eé\u001fnot ASCII")).isEqualTo(-1);
        String longest = "a".repeat(RequestTag.MAX_ID_LENGTH);
        assertThat(RequestTag.end("\u001e" + longest + "\u001fx")).isEqualTo(longest.length() + 1);
        assertThat(RequestTag.end("\u001e" + longest + "a\u001fx")).as("an id past the limit").isEqualTo(-1);
        assertThat(RequestTag.end("\u001eA-z_0.9:x\u001f")).isEqualTo(10);
    }
}
