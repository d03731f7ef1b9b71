package dev.cumulus.runtime;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stem cell is a runtime started before anyone knows which function it will serve: the JVM,
 * the sandbox and the Runtime API connection are already up. It waits for the node to name the
 * function, takes on that function's environment, and then starts exactly like a fresh
 * instance. Each cell serves one function once; it is never handed back.
 */
final class StemCell {
    static final String MARKER = "CUMULUS_STEM_CELL";
    static final String SPECIALISE_PATH = "/cumulus/v1/specialise";

    private StemCell() {}

    /** Invocations the cell runs on itself while it waits; enough for C1 to compile the hot paths. */
    static final int WARM_UP_INVOCATIONS = 60;

    /**
     * Runs the runtime's real paths (Unix-socket HTTP, handler loading, JSON binding, the
     * invocation loop) against itself before any function arrives, so that the first real
     * invocation finds its classes loaded and initialised and its code compiled. Everything
     * it writes under /tmp is removed again; a failure only costs the warm-up.
     */
    static void warmUp() {
        try {
            java.nio.file.Path work = java.nio.file.Files.createTempDirectory("cumulus-warm-up");
            Training.run(WARM_UP_INVOCATIONS, work, null);
        } catch (Exception | LinkageError e) {
            System.err.println("cumulus-runtime: stem cell warm-up skipped: " + e);
        }
    }

    static boolean isStemCell(Map<String, String> environment) {
        return "1".equals(environment.get(MARKER));
    }

    /**
     * Blocks until the node assigns a function, then returns that function's complete
     * environment, already installed as this process's environment.
     */
    static Map<String, String> awaitFunction(HttpConnection http) throws IOException {
        HttpResponse response = http.exchange("GET", SPECIALISE_PATH, null, null, null);
        if (response.status() != 200) {
            throw new IOException("the node did not specialise this stem cell (HTTP " + response.status() + ")");
        }
        Object parsed = JsonParser.parse(response.body());
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("environment") instanceof Map<?, ?> env)) {
            throw new IOException("malformed specialisation from the node");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        env.forEach((k, v) -> environment.put(String.valueOf(k), String.valueOf(v)));
        replaceProcessEnvironment(environment);
        return environment;
    }

    /**
     * Functions read their settings with {@code System.getenv}, whose map the JDK builds once at
     * start-up and never changes. A stem cell started before its function existed, so the map is
     * rewritten in place: the same object {@code System.getenv()} hands out, now holding exactly
     * the function's variables (the cell's own, such as the marker, are gone). Needs
     * {@code --add-opens java.base/java.util=ALL-UNNAMED}, which the node passes to stem cells.
     */
    @SuppressWarnings("unchecked")
    static void replaceProcessEnvironment(Map<String, String> environment) throws IOException {
        try {
            Map<String, String> view = System.getenv();
            Field inner = view.getClass().getDeclaredField("m");
            inner.setAccessible(true);
            Map<String, String> writable = (Map<String, String>) inner.get(view);
            writable.clear();
            writable.putAll(environment);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot install the function's environment in this stem cell: " + e, e);
        }
    }
}
