package dev.cumulus.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sources of the test functions, compiled at test time into a directory laid out like an
 * unpacked code package: classes at the root and a helper library in {@code lib/}.
 */
final class Functions {
    private Functions() {}

    static final Map<String, String> LIBRARY = Map.of("helper.Shout", """
            package helper;
            public final class Shout {
                public static String shout(String s) { return s.toUpperCase() + "!"; }
            }
            """);

    static final Map<String, String> SOURCES = Map.ofEntries(
            Map.entry("fn.Greeter", """
                    package fn;
                    import dev.cumulus.function.*;
                    import java.nio.file.*;
                    import java.util.*;
                    public class Greeter implements RequestHandler<Greeter.Person, Map<String, Object>> {
                        public record Person(String name, int age) {}
                        public Greeter() throws Exception {
                            String marker = System.getenv("INIT_MARKER");
                            if (marker != null) Files.writeString(Path.of(marker), "initialised");
                        }
                        @Override
                        public Map<String, Object> handleRequest(Person p, Context c) {
                            if ("boom".equals(p.name())) throw new IllegalStateException("no boom allowed");
                            c.logger().log("greeting " + p.name() + " in " + c.requestId());
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("greeting", "Hello " + p.name());
                            out.put("age", p.age());
                            out.put("requestId", c.requestId());
                            out.put("function", c.functionName() + ":" + c.functionVersion() + ":" + c.memoryLimitMb());
                            out.put("hasTime", c.remainingTimeMillis() > 0);
                            out.put("trace", System.getProperty("com.amazonaws.xray.traceHeader"));
                            return out;
                        }
                    }
                    """),
            Map.entry("fn.Crasher", """
                    package fn;
                    import dev.cumulus.function.*;
                    public class Crasher implements RequestHandler<String, String> {
                        @Override
                        public String handleRequest(String lines, Context c) {
                            int n = Integer.parseInt(lines);
                            for (int i = 0; i < n; i++) {
                                c.logger().log("logged " + i + " é");
                                System.out.println("printed " + i);
                            }
                            c.logger().log("last words");
                            Runtime.getRuntime().halt(3); // no shutdown hooks, no flushing: a crash
                            return "unreachable";
                        }
                    }
                    """),
            Map.entry("fn.Upper", """
                    package fn;
                    import dev.cumulus.function.*;
                    import java.io.*;
                    public class Upper implements RequestStreamHandler {
                        @Override
                        public void handleRequest(InputStream in, OutputStream out, Context c) throws IOException {
                            out.write(new String(in.readAllBytes()).toUpperCase().getBytes());
                        }
                    }
                    """),
            Map.entry("fn.Base", """
                    package fn;
                    import dev.cumulus.function.*;
                    public abstract class Base<T> implements RequestHandler<T, String> {}
                    """),
            Map.entry("fn.Sum", """
                    package fn;
                    import dev.cumulus.function.*;
                    import java.util.*;
                    public class Sum extends Base<List<Long>> {
                        @Override
                        public String handleRequest(List<Long> xs, Context c) {
                            long total = 0;
                            for (Long x : xs) total += x;  // Integer elements would fail here
                            return "sum=" + total;
                        }
                    }
                    """),
            Map.entry("fn.Methods", """
                    package fn;
                    import dev.cumulus.function.*;
                    import java.io.*;
                    import java.util.*;
                    public class Methods {
                        public record Person(String name) {}
                        public static String shout(String s) { return helper.Shout.shout(s); }
                        public String greet(Person p, Context c) { return "hi " + p.name() + " " + c.requestId(); }
                        public static void copy(InputStream in, OutputStream out) throws IOException { in.transferTo(out); }
                        public void tag(InputStream in, OutputStream out, Context c) throws IOException {
                            out.write((c.requestId() + ":").getBytes());
                            in.transferTo(out);
                        }
                        public static void nothing(Map<String, Object> event) {}
                        public static int count(List<String> xs) { return xs.size(); }
                        public static void badSignature(int a, int b, int c) {}
                        public static boolean seesRuntime(Object ignored) {
                            try {
                                Class.forName("dev.cumulus.runtime.Main", false, Methods.class.getClassLoader());
                                return true;
                            } catch (ClassNotFoundException e) {
                                return false;
                            }
                        }
                        public static String contextLoader(Object ignored) {
                            return String.valueOf(Thread.currentThread().getContextClassLoader() == Methods.class.getClassLoader());
                        }
                        public static String fail(String s) { throw new UnsupportedOperationException("nope: " + s); }
                    }
                    """),
            Map.entry("fn.NoDefaultConstructor", """
                    package fn;
                    public class NoDefaultConstructor {
                        public NoDefaultConstructor(String s) {}
                        public String handle(String s) { return s; }
                    }
                    """),
            Map.entry("fn.ExplodingConstructor", """
                    package fn;
                    import dev.cumulus.function.*;
                    public class ExplodingConstructor implements RequestHandler<String, String> {
                        public ExplodingConstructor() { throw new IllegalStateException("no config"); }
                        public String handleRequest(String s, Context c) { return s; }
                    }
                    """),
            Map.entry("fn.ExplodingStatic", """
                    package fn;
                    import dev.cumulus.function.*;
                    public class ExplodingStatic implements RequestHandler<String, String> {
                        static final int VALUE = Integer.parseInt("not a number");
                        public String handleRequest(String s, Context c) { return s; }
                    }
                    """),
            Map.entry("fn.NotAHandler", """
                    package fn;
                    public class NotAHandler {
                        public String handle(String s) { return s; }
                    }
                    """));

    /** Compiles everything into {@code taskRoot}, the library into {@code taskRoot/lib/helper.jar}. */
    static Path buildTaskRoot(Path workDir) throws IOException {
        Path libClasses = workDir.resolve("lib-classes");
        TestCompiler.compile(libClasses, LIBRARY);
        Path taskRoot = workDir.resolve("task");
        TestCompiler.jar(libClasses, taskRoot.resolve("lib/helper.jar"));
        TestCompiler.compile(taskRoot, SOURCES, libClasses);
        return taskRoot;
    }
}
