package dev.cumulus.runtime;

import dev.cumulus.function.RequestHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/** Compiles function sources given as strings, the way a function author's build would. */
final class TestCompiler {
    private TestCompiler() {}

    /** Where the function API classes are, for javac and for child JVMs. */
    static Path apiLocation() {
        return codeSource(RequestHandler.class);
    }

    /** Where the runtime's own classes are (target/classes during the build). */
    static Path runtimeLocation() {
        return codeSource(Main.class);
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compiles {@code sources} (class name to source) into {@code outDir}, with extra classpath entries. */
    static void compile(Path outDir, Map<String, String> sources, Path... classpath) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, code) -> units.add(new SimpleJavaFileObject(
                URI.create("string:///" + name.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        }));
        StringBuilder cp = new StringBuilder(apiLocation().toString());
        for (Path p : classpath) {
            cp.append(java.io.File.pathSeparator).append(p);
        }
        Files.createDirectories(outDir);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean ok = javac.getTask(null, null, diagnostics,
                List.of("-d", outDir.toString(), "-classpath", cp.toString(), "-proc:none", "-parameters"),
                null, units).call();
        if (!ok) {
            throw new IllegalStateException("test sources do not compile: " + diagnostics.getDiagnostics());
        }
    }

    /** Packs a compiled class directory into a jar, as a library in {@code lib/}. */
    static void jar(Path classes, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }
}
