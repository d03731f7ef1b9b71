package dev.cumulus.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The event of {@code invoke --data}: inline JSON, {@code @file}, or {@code @-} for stdin; always checked to be one JSON value. */
final class Payloads {
    static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.UTF_8);

    private Payloads() {}

    static byte[] read(String data, Path cwd, InputStream stdin) {
        if (data == null) {
            return EMPTY_EVENT;
        }
        byte[] bytes;
        String what;
        if (data.startsWith("@")) {
            String name = data.substring(1);
            if (name.isEmpty()) {
                throw CliException.usage("--data @ needs a file name (or @- for stdin)");
            }
            if (name.equals("-")) {
                what = "stdin";
                try {
                    bytes = stdin.readAllBytes();
                } catch (IOException e) {
                    throw new CliException("cannot read stdin: " + e.getMessage());
                }
            } else {
                Path file = cwd.resolve(name);
                what = file.toString();
                try {
                    bytes = Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    throw CliException.usage("--data @" + name + ": no such file");
                } catch (IOException e) {
                    throw CliException.usage("--data @" + name + ": cannot read: " + e.getMessage());
                }
            }
        } else {
            what = "--data";
            bytes = data.getBytes(StandardCharsets.UTF_8);
        }
        checkJson(bytes, what);
        return bytes;
    }

    static void checkJson(byte[] bytes, String what) {
        try {
            JsonNode node = ApiClient.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw CliException.usage("the event from " + what + " is empty (send {} for an empty event)");
            }
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage() == null ? "invalid" : e.getOriginalMessage().lines().findFirst().orElse("");
            throw CliException.usage("the event from " + what + " is not valid JSON: " + msg);
        } catch (IOException e) {
            throw CliException.usage("the event from " + what + " is not valid JSON: " + e.getMessage());
        }
    }
}
