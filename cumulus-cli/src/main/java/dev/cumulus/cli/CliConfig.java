package dev.cumulus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The CLI's own settings, like kubectl's current context: today the current project, which every
 * request names in the {@code X-Cumulus-Project} header. The file is {@code $CUMULUS_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/cumulus/config.json}, else {@code $HOME/.config/cumulus/config.json}
 * (mode 600). The project of a command is {@code --project}, else {@code CUMULUS_PROJECT}, else
 * the file's; without any, the node uses the caller's own project ({@code default} for root).
 */
final class CliConfig {
    static final String PROJECT_HEADER = "X-Cumulus-Project";

    private CliConfig() {}

    static Path file(Map<String, String> env) {
        if (nonBlank(env.get("CUMULUS_CONFIG"))) {
            return Path.of(env.get("CUMULUS_CONFIG").strip());
        }
        if (nonBlank(env.get("XDG_CONFIG_HOME"))) {
            return Path.of(env.get("XDG_CONFIG_HOME").strip(), "cumulus", "config.json");
        }
        // only the environment the Cli was given: an in-process Cli without HOME has no config file
        return nonBlank(env.get("HOME")) ? Path.of(env.get("HOME").strip(), ".config", "cumulus", "config.json") : null;
    }

    /** The project a command acts in, or null for the caller's own. */
    static String project(String option, Map<String, String> env) {
        if (nonBlank(option)) {
            return option.strip();
        }
        if (nonBlank(env.get("CUMULUS_PROJECT"))) {
            return env.get("CUMULUS_PROJECT").strip();
        }
        return storedProject(env);
    }

    static String storedProject(Map<String, String> env) {
        Path file = file(env);
        if (file == null) {
            return null;
        }
        try {
            JsonNode node = ApiClient.JSON.readTree(Files.readString(file));
            JsonNode project = node == null ? null : node.get("project");
            return project == null || !project.isTextual() || project.asText().isBlank() ? null : project.asText();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CliException("cannot read the CLI config " + file + ": " + e.getMessage());
        }
    }

    /** Stores the current project (null clears it). */
    static void storeProject(Map<String, String> env, String project) {
        Path file = file(env);
        if (file == null) {
            throw new CliException("no place for the CLI config: set HOME, XDG_CONFIG_HOME or CUMULUS_CONFIG");
        }
        try {
            ObjectNode node = ApiClient.JSON.createObjectNode();
            if (Files.exists(file)) {
                JsonNode old = ApiClient.JSON.readTree(Files.readString(file));
                if (old instanceof ObjectNode o) {
                    node = o;
                }
            }
            if (project == null) {
                node.remove("project");
            } else {
                node.put("project", project);
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("cannot write the CLI config " + file + ": " + e.getMessage());
        }
    }

    private static boolean nonBlank(String s) {
        return s != null && !s.isBlank();
    }
}
