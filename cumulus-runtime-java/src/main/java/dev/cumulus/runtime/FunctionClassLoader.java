package dev.cumulus.runtime;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The function's class loader, laid out as on Lambda: the task root itself, then every
 * {@code lib/*.jar} in name order. Its parent shows only the JDK and the function API, so a
 * function can bundle any library version (its own Jackson, say) without meeting the runtime's
 * internals, and the API classes stay the very ones the runtime casts to.
 */
final class FunctionClassLoader {
    private static final String API_PACKAGE = "dev.cumulus.function.";

    private FunctionClassLoader() {}

    static URLClassLoader create(Path taskRoot) throws IOException {
        List<URL> urls = new ArrayList<>();
        urls.add(taskRoot.toUri().toURL());
        Path lib = taskRoot.resolve("lib");
        if (Files.isDirectory(lib)) {
            List<Path> jars = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(lib, "*.jar")) {
                for (Path jar : stream) {
                    jars.add(jar);
                }
            }
            Collections.sort(jars);
            for (Path jar : jars) {
                urls.add(jar.toUri().toURL());
            }
        }
        return new URLClassLoader("cumulus-function", urls.toArray(new URL[0]),
                new ApiOnly(FunctionClassLoader.class.getClassLoader()));
    }

    /** Delegates the API package to the runtime's loader and everything else to the platform loader. */
    private static final class ApiOnly extends ClassLoader {
        private final ClassLoader runtime;

        ApiOnly(ClassLoader runtime) {
            super("cumulus-function-api", ClassLoader.getPlatformClassLoader());
            this.runtime = runtime;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith(API_PACKAGE) && name.indexOf('.', API_PACKAGE.length()) < 0) {
                return runtime.loadClass(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            if (name.startsWith("dev/cumulus/function/") && name.indexOf('/', 21) < 0) {
                return runtime.getResource(name);
            }
            return super.getResource(name);
        }
    }
}
