package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Policy documents named by {@code --policy FILE} options; the node checks their grammar. */
final class PolicyFiles {
    private PolicyFiles() {}

    static List<JsonNode> read(Path cwd, List<Path> files) {
        List<JsonNode> documents = new ArrayList<>();
        for (Path file : files == null ? List.<Path>of() : files) {
            Path resolved = cwd.resolve(file);
            try {
                documents.add(ApiClient.JSON.readTree(Files.readString(resolved)));
            } catch (NoSuchFileException e) {
                throw CliException.usage("no such policy file: " + resolved);
            } catch (IOException e) {
                throw CliException.usage("the policy file " + resolved + " is not JSON: " + Cli.oneLine(e.getMessage()));
            }
        }
        return documents;
    }

    /** Adds {@code policies} (or {@code admin}) to a request body. */
    static void attach(Map<String, Object> body, Path cwd, List<Path> files, boolean admin) {
        List<JsonNode> documents = read(cwd, files);
        if (admin && !documents.isEmpty()) {
            throw CliException.usage("give --admin or --policy, not both");
        }
        if (admin) {
            body.put("admin", true);
        } else if (!documents.isEmpty()) {
            body.put("policies", documents);
        }
    }

    /** One line per statement for listings: {@code Allow functions:Invoke on crn:...}. */
    static String summary(JsonNode policies) {
        List<String> lines = new ArrayList<>();
        for (JsonNode policy : policies) {
            JsonNode statements = policy.path("Statement");
            for (JsonNode s : statements.isArray() ? statements : List.of(statements)) {
                lines.add(s.path("Effect").asText() + " " + flat(s.path("Action")) + " on " + flat(s.path("Resource")));
            }
        }
        return lines.isEmpty() ? "(nothing)" : String.join("; ", lines);
    }

    private static String flat(JsonNode node) {
        if (!node.isArray()) {
            return node.asText();
        }
        List<String> parts = new ArrayList<>();
        node.forEach(n -> parts.add(n.asText()));
        return String.join(",", parts);
    }
}
