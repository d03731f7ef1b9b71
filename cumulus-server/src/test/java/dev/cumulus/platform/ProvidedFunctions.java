package dev.cumulus.platform;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The code packages of cumulus-test-provided, deployed as {@code provided} functions. */
final class ProvidedFunctions {
    static final Path DIR = Path.of(System.getProperty("cumulus.testprovided.dir"));

    private ProvidedFunctions() {}

    /** Uploads {@code cumulus-test-provided-KIND.zip} and deploys it as {@code name}. */
    static JsonNode deploy(TestNode node, String name, String kind, String handler, Map<String, Object> settings) {
        HttpResponse<String> upload;
        try {
            upload = node.uploadBytes(Files.readAllBytes(DIR.resolve("cumulus-test-provided-" + kind + ".zip")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (upload.statusCode() != 201) {
            throw new IllegalStateException("upload failed: " + upload.body());
        }
        Map<String, Object> body = new HashMap<>(settings);
        body.put("runtime", "provided");
        body.put("handler", handler);
        body.put("codeSha256", TestNode.json(upload).get("sha256").asText());
        HttpResponse<String> response = node.send("PUT", "/v1/functions/" + name, TestNode.write(body));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("deploy failed: " + response.statusCode() + " " + response.body());
        }
        return TestNode.json(response);
    }
}
