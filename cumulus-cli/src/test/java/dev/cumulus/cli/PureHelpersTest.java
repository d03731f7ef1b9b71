package dev.cumulus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PureHelpersTest {

    @Test
    void durations() {
        assertThat(Durations.parse("600")).isEqualTo(Duration.ofSeconds(600));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse(" 10M ")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        for (String bad : List.of("", "-5", "5x", "ten", "1.5s", "m", "PT-1S")) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Durations.toWholeSeconds(Duration.ofMinutes(2), "--x")).isEqualTo(120);
        assertThatThrownBy(() -> Durations.toWholeSeconds(Duration.ofMillis(1500), "--x"))
                .isInstanceOf(CliException.class).hasMessage("--x must be whole seconds, not 1500ms");
    }

    @Test
    void envVars() {
        assertThat(EnvVar.parse("A=1")).isEqualTo(new EnvVar("A", "1"));
        assertThat(EnvVar.parse("EMPTY=")).isEqualTo(new EnvVar("EMPTY", ""));
        assertThat(EnvVar.parse("URL=a=b")).isEqualTo(new EnvVar("URL", "a=b"));
        assertThat(EnvVar.parse("_x9=y")).isEqualTo(new EnvVar("_x9", "y"));
        assertThatThrownBy(() -> EnvVar.parse("NOVALUE")).hasMessageContaining("is not KEY=VALUE");
        assertThatThrownBy(() -> EnvVar.parse("=v")).hasMessageContaining("empty name");
        assertThatThrownBy(() -> EnvVar.parse("9A=v")).hasMessageContaining("not a valid variable name");
        assertThatThrownBy(() -> EnvVar.parse("A-B=v")).hasMessageContaining("not a valid variable name");
        assertThatThrownBy(() -> EnvVar.toMap(List.of(new EnvVar("A", "1"), new EnvVar("A", "2"))))
                .isInstanceOf(CliException.class).extracting(e -> ((CliException) e).exitCode()).isEqualTo(2);
    }

    @Test
    void instants() {
        assertThat(Instants.parse("2025-01-31").toString()).isEqualTo("2025-01-31T00:00:00Z");
        assertThat(Instants.parse("2025-01-31T10:00:00+02:00").toString()).isEqualTo("2025-01-31T08:00:00Z");
        assertThat(Instants.parse("2025-01-31T10:00").toString()).isEqualTo("2025-01-31T10:00:00Z");
        assertThatThrownBy(() -> Instants.parse("31/01/2025")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloads(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("event.json"), "{\"n\": 1}\n");
        Files.writeString(dir.resolve("broken.json"), "{\"n\": ");
        assertThat(new String(Payloads.read("@event.json", dir, null), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 1}\n");
        assertThat(Payloads.read(null, dir, null)).isEqualTo("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(Payloads.read("[1,2]", dir, null)).isEqualTo("[1,2]".getBytes(StandardCharsets.UTF_8));
        assertThat(Payloads.read("\"s\"", dir, null)).isEqualTo("\"s\"".getBytes(StandardCharsets.UTF_8));
        assertThat(Payloads.read("@-", dir, new ByteArrayInputStream("{\"in\":true}".getBytes())))
                .isEqualTo("{\"in\":true}".getBytes());
        assertThatThrownBy(() -> Payloads.read("@missing.json", dir, null))
                .isInstanceOf(CliException.class).hasMessage("--data @missing.json: no such file");
        assertThatThrownBy(() -> Payloads.read("@broken.json", dir, null))
                .isInstanceOf(CliException.class).hasMessageStartingWith("the event from " + dir.resolve("broken.json") + " is not valid JSON");
        assertThatThrownBy(() -> Payloads.read("hello", dir, null)).hasMessageStartingWith("the event from --data is not valid JSON");
        assertThatThrownBy(() -> Payloads.read("{} {}", dir, null)).hasMessageStartingWith("the event from --data is not valid JSON");
        assertThatThrownBy(() -> Payloads.read("@", dir, null)).hasMessageContaining("needs a file name");
        assertThatThrownBy(() -> Payloads.read("  ", dir, null)).hasMessageContaining("is empty");
    }

    @Test
    void apiErrorLines() {
        byte[] body = "{\"error\":\"NotFound\",\"message\":\"function 'x' does not exist\"}".getBytes();
        assertThat(ApiError.from(404, body, null).format()).isEqualTo("function 'x' does not exist (HTTP 404 NotFound)");
        assertThat(ApiError.from(401, "{\"error\":\"Unauthorized\",\"message\":\"bad token\"}".getBytes(), null).format())
                .isEqualTo("bad token (HTTP 401 Unauthorized); check --token / CUMULUS_TOKEN");
        assertThat(ApiError.from(429, "{\"error\":\"TooManyRequests\",\"message\":\"hello is at its limit\"}".getBytes(), "2").format())
                .isEqualTo("hello is at its limit (HTTP 429 TooManyRequests); retry after 2 s");
        assertThat(ApiError.from(502, "<html>bad gateway</html>".getBytes(), null).format()).isEqualTo("bad gateway (HTTP 502)");
        assertThat(ApiError.from(500, "boom\nat line 2".getBytes(), null).format()).isEqualTo("boom at line 2 (HTTP 500)");
        assertThat(ApiError.from(400, "{\"error\":\"InvalidName\"}".getBytes(), null).format()).isEqualTo("InvalidName (HTTP 400 InvalidName)");
        assertThat(ApiError.from(503, new byte[0], null).format()).isEqualTo("service unavailable (HTTP 503)");
    }

    @Test
    void names() {
        assertThat(Names.check("hello_World-1")).isEqualTo("hello_World-1");
        assertThat(Names.checkQualified("hello:3")).isEqualTo("hello:3");
        assertThat(Names.checkQualified("hello:$LATEST")).isEqualTo("hello:$LATEST");
        assertThatThrownBy(() -> Names.check("a/b")).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> Names.check("x".repeat(65))).isInstanceOf(CliException.class);
        assertThatThrownBy(() -> Names.checkQualified("hello:")).isInstanceOf(CliException.class);
        assertThat(ApiClient.segment("hello:$LATEST")).isEqualTo("hello:$LATEST");
        assertThat(ApiClient.segment("a b/c")).isEqualTo("a%20b%2Fc");
    }

    @Test
    void logLineFormat() {
        assertThat(LogsCommand.format("{\"time\":\"2025-01-01T00:00:00Z\",\"requestId\":\"r1\",\"instanceId\":\"i\",\"line\":\"hi there\"}"))
                .isEqualTo("2025-01-01T00:00:00Z r1 hi there");
        assertThat(LogsCommand.format("{\"time\":\"t\",\"requestId\":null,\"line\":\"init\"}")).isEqualTo("t - init");
        assertThat(LogsCommand.format("not json")).isEqualTo("not json");
    }

    @Test
    void logLinesCannotDriveTheTerminal() {
        // a function's line with a colour change, a screen clear, a carriage return that would
        // overwrite the line with a fake one, a C1 CSI and a right-to-left override
        String hostile = "{\"time\":\"t\",\"requestId\":\"r1\",\"line\":"
                + "\"\\u001b[31mred\\u001b[2J\\rEND RequestId: fake\\nx\\u009b1m\\u202eevil\\u0007\"}";
        assertThat(LogsCommand.format(hostile))
                .isEqualTo("t r1 \\x1b[31mred\\x1b[2J\\rEND RequestId: fake\\nx\\x9b1m\\u202eevil\\x07");
        assertThat(LogsCommand.format("not json \u001b]0;title\u0007")).isEqualTo("not json \\x1b]0;title\\x07");
    }

    @Test
    void reportLinesKeepTheirTabsAndTextItsUnicode() {
        String report = "{\"time\":\"t\",\"requestId\":\"r1\",\"line\":"
                + "\"REPORT RequestId: r1\\tDuration: 2.89 ms\\tBilled Duration: 3 ms\"}";
        assertThat(LogsCommand.format(report)).isEqualTo("t r1 REPORT RequestId: r1\tDuration: 2.89 ms\tBilled Duration: 3 ms");
        assertThat(LogsCommand.escapeControls("grüße 日本 ✓")).isEqualTo("grüße 日本 ✓");
    }

    @Test
    void tables() {
        var buf = new java.io.ByteArrayOutputStream();
        new Text.Table("NAME", "X").row("a-long-name", 1).row("b", null).print(new java.io.PrintStream(buf, true));
        assertThat(buf.toString()).isEqualTo("NAME         X\na-long-name  1\nb            -\n");
        assertThat(Text.bytes(512)).isEqualTo("512 B");
        assertThat(Text.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Text.bytes(3 * 1024 * 1024)).isEqualTo("3.0 MiB");
    }
}
