package dev.cumulus.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;

/**
 * A project {@code cumulus init} writes. Its files are resources of this jar under
 * {@code dev/cumulus/cli/init/TEMPLATE/}, listed in {@code template.txt} (one line per file:
 * {@code SOURCE TARGET [executable]}), with {@code {{placeholders}}} filled in paths and contents;
 * nothing here builds a file's text. The Java template also gets the function API in an
 * in-project Maven repository (ADR 0018).
 */
final class ProjectTemplate {
    static final List<String> NAMES = List.of("java", "lambda-java", "provided-sh", "provided-python");

    private static final String ROOT = "/dev/cumulus/cli/init/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    /** Where the pom's {@code cumulus-function-api} repository points, relative to the project. */
    static final String FUNCTION_API_REPOSITORY = ".mvn/repository";

    private final String name;

    private ProjectTemplate(String name) {
        this.name = name;
    }

    static ProjectTemplate named(String name) {
        if (!NAMES.contains(name)) {
            throw CliException.usage("unknown template '" + name + "' (use one of " + String.join(", ", NAMES) + ")");
        }
        return new ProjectTemplate(name);
    }

    boolean isJava() {
        return name.endsWith("java");
    }

    /** The values placeholders take: the function's name, the Java package, and the versions this CLI was built with. */
    static Map<String, String> values(String functionName, String javaPackage, String dir) {
        Map<String, String> values = new LinkedHashMap<>();
        Properties versions = new Properties();
        try (InputStream in = open("versions.properties")) {
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        versions.stringPropertyNames().forEach(k -> values.put(k, versions.getProperty(k)));
        values.put("name", functionName);
        values.put("package", javaPackage);
        values.put("packagePath", javaPackage.replace('.', '/'));
        values.put("dir", dir);
        return values;
    }

    /** {@code com.example.NAME}, NAME made a Java identifier: {@code my-fn} becomes {@code com.example.myfn}. */
    static String defaultPackage(String functionName) {
        String segment = functionName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "");
        if (segment.isEmpty() || !SourceVersion.isIdentifier(segment) || SourceVersion.isKeyword(segment)) {
            segment = "fn" + segment;
        }
        return "com.example." + segment;
    }

    static String checkPackage(String javaPackage) {
        if (!SourceVersion.isName(javaPackage)) {
            throw CliException.usage("--package " + javaPackage + " is not a Java package name (e.g. com.example.hello)");
        }
        return javaPackage;
    }

    /** Writes the template's files under {@code dir}; returns their paths relative to it, in the order written. */
    List<String> writeTo(Path dir, Map<String, String> values) throws IOException {
        List<String> written = new ArrayList<>();
        for (String line : text(name + "/template.txt").lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            String source = parts[0].startsWith("/") ? parts[0].substring(1) : name + "/" + parts[0];
            String target = fill(parts[1], values);
            Path file = write(dir, target, fill(text(source), values).getBytes(StandardCharsets.UTF_8));
            if (parts.length > 2 && parts[2].equals("executable")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            written.add(target);
        }
        if (name.equals("java")) {
            written.addAll(writeFunctionApi(dir, values));
        }
        return written;
    }

    /** What to do next, for the message after {@code init}. */
    String nextSteps(Map<String, String> values) {
        return fill(text(name + "/next.txt"), values);
    }

    /**
     * The function API jar this CLI carries, with a parent-less pom and the checksums Maven checks,
     * laid out as a Maven repository inside the project: the pom names it as a repository, so plain
     * Maven builds the project on any machine, without a prior install step.
     */
    private static List<String> writeFunctionApi(Path dir, Map<String, String> values) throws IOException {
        String version = values.get("functionApiVersion");
        String base = FUNCTION_API_REPOSITORY + "/dev/cumulus/cumulus-function-api/" + version + "/cumulus-function-api-" + version;
        byte[] jar;
        try (InputStream in = open("cumulus-function-api.jar")) {
            jar = in.readAllBytes();
        }
        byte[] pom = fill(text("maven/function-api.pom"), values).getBytes(StandardCharsets.UTF_8);
        List<String> written = new ArrayList<>();
        for (var artifact : Map.of(base + ".jar", jar, base + ".pom", pom).entrySet()) {
            write(dir, artifact.getKey(), artifact.getValue());
            write(dir, artifact.getKey() + ".sha1", sha1(artifact.getValue()).getBytes(StandardCharsets.US_ASCII));
            written.add(artifact.getKey());
        }
        written.sort(null);
        return written;
    }

    private static Path write(Path dir, String relative, byte[] content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return file;
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("template placeholder {{" + m.group(1) + "}} has no value");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        return m.appendTail(sb).toString();
    }

    private static String text(String resource) {
        try (InputStream in = open(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = ProjectTemplate.class.getResourceAsStream(ROOT + resource);
        if (in == null) {
            throw new IllegalStateException("this cumulus build lacks its resource " + ROOT + resource);
        }
        return in;
    }

    private static String sha1(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
