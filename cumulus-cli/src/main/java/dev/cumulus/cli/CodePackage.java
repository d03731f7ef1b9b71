package dev.cumulus.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Makes the file {@code cumulus deploy} uploads from a manifest's {@code code}: runs a Maven
 * project's build first, and zips a folder (a {@code provided} function's files) keeping the unix
 * modes, so its {@code bootstrap} and other executables stay executable.
 */
final class CodePackage {
    /** The build every Maven template's cumulus.yaml relies on: its {@code code} is what this produces. */
    static final List<String> MAVEN_ARGS = List.of("-q", "-B", "package", "-DskipTests");

    private CodePackage() {}

    /**
     * Runs {@code ./mvnw} (or else {@code mvn} on PATH) {@code -q -B package -DskipTests} in
     * {@code project}, its output going to {@code cli.err}. Without JAVA_HOME the build uses the
     * JDK this CLI runs on (25+), which the templates' {@code maven.compiler.release} needs. (The
     * templates have no {@code .mvn/jvm.config}: a JDK-25-only option there would turn "release 25
     * not supported" on an older JDK into a JVM that does not start.)
     */
    static void mavenBuild(Cli cli, Path project) throws IOException {
        ProcessBuilder pb = new ProcessBuilder().directory(project.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(cli.env);
        Path wrapper = project.resolve("mvnw");
        Path maven = Files.isExecutable(wrapper) ? wrapper : onPath("mvn", env.getOrDefault("PATH", "")).orElseThrow(
                () -> new CliException(CliException.ERROR, "cannot build " + project + ": it has no ./mvnw and there is no mvn on PATH"
                        + " (install Maven, or build it yourself and pass --code PATH)", null));
        if (!env.containsKey("JAVA_HOME")) {
            env.put("JAVA_HOME", System.getProperty("java.home"));
            // this JDK is 25+, where Maven's Guice would warn about sun.misc.Unsafe on every build
            env.merge("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow", (given, flag) -> given + " " + flag);
        }
        List<String> command = new ArrayList<>();
        command.add(maven.toString());
        command.addAll(MAVEN_ARGS);
        pb.command(command);
        String shown = (maven.equals(wrapper) ? "./mvnw" : maven.toString()) + " " + String.join(" ", MAVEN_ARGS);
        cli.err.println("building " + project + ": " + shown);
        cli.err.flush();
        Process process = pb.start();
        process.getOutputStream().close();
        try (InputStream output = process.getInputStream()) {
            output.transferTo(cli.err);
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new CliException(130, "interrupted", e);
        }
        cli.err.flush();
        if (exit != 0) {
            throw new CliException("the build failed: " + shown + " exited with " + exit + " (its output is above)");
        }
    }

    /**
     * Zips the files under {@code folder} into {@code zip}, with their unix modes, leaving out
     * the manifests and hidden files and folders (.git, .mvn, ...).
     */
    static void zipFolder(Path folder, Path zip) throws IOException {
        Files.deleteIfExists(zip);
        URI uri = URI.create("jar:" + zip.toUri());
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("create", "true", "enablePosixFileAttributes", "true"));
                Stream<Path> files = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = folder.relativize(file);
                if (!Files.isRegularFile(file) || left(relative)) {
                    continue;
                }
                Path entry = fs.getPath(relative.toString().replace(File.separatorChar, '/'));
                if (entry.getParent() != null) {
                    Files.createDirectories(entry.getParent());
                }
                Files.copy(file, entry);
                Files.setPosixFilePermissions(entry, Files.getPosixFilePermissions(file));
            }
        }
    }

    private static boolean left(Path relative) {
        if (relative.getNameCount() == 1 && Manifest.FILES.contains(relative.toString())) {
            return true;
        }
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Optional<Path> onPath(String name, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, name);
            if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
