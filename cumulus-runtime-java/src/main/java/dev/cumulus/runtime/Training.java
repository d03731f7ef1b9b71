package dev.cumulus.runtime;

import dev.cumulus.runtime.training.LambdaShapes;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.invoke.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.StringConcatException;
import java.lang.invoke.StringConcatFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A training run for the JDK AOT cache: {@code java -XX:AOTCacheOutput=runtime.aot <instance flags>
 * -cp cumulus-runtime.jar dev.cumulus.runtime.Training [invocations [workDir]]}.
 *
 * <p>It needs no node. It serves itself a Runtime API on a Unix socket from a thread of its own and
 * runs the real {@link Main#run} against it, once per handler shape, so that what the cache
 * records is what an instance does when it starts: read the environment, connect, load a handler
 * from a task root through the function class loader, bind JSON events, answer and fail. The
 * handlers are the class files of {@code dev.cumulus.runtime.training}, copied out of this jar.
 * Invocations reach instances over the framed transport (ADR 0042), so most scenarios are served
 * over frames; one stays on HTTP, which instances still speak for specialisation and node services.
 *
 * <p>Work a real instance never does is kept small on purpose: everything the training loads
 * ends up in the cache, and an AOT cache links all of its classes at every start-up.
 *
 * <p>Prints {@link #FIRST_ANSWER} as soon as the first invocation has been answered, so that a
 * caller can time a cold start, and exits 0 when every invocation was answered.
 */
public final class Training {
    public static final String FIRST_ANSWER = "cumulus-training: first answer";
    static final int DEFAULT_INVOCATIONS = 300;

    private static final String HANDLER_PACKAGE = "dev/cumulus/runtime/training/";
    private static final String[] HANDLER_CLASSES = {"Greeter", "Greeter$Person", "Echo", "HttpApi", "Text"};

    /** One handler shape with the events it gets; an event with an empty name makes Greeter throw. */
    record Scenario(String handler, String... events) {}

    static final Scenario[] SCENARIOS = {
        new Scenario("dev.cumulus.runtime.training.Greeter",
                "{\"name\":\"Ada\",\"age\":36,\"member\":true,\"score\":9.5,\"tags\":[\"a\",\"b\"],"
                        + "\"attributes\":{\"lang\":\"en\",\"tz\":\"UTC\"},\"ignored\":{\"x\":[1,2.5,null]}}",
                "{\"name\":\"Grace\",\"age\":85,\"member\":false,\"score\":-1e3,\"tags\":[],\"attributes\":{}}",
                "{\"name\":\"\",\"age\":0}"),
        new Scenario("dev.cumulus.runtime.training.HttpApi::handle",
                "{\"version\":\"2.0\",\"routeKey\":\"$default\",\"rawPath\":\"/orders/42\",\"rawQueryString\":\"a=1\","
                        + "\"headers\":{\"accept\":\"application/json\",\"user-agent\":\"curl/8\"},"
                        + "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/orders/42\"},"
                        + "\"requestId\":\"r-1\",\"timeEpoch\":1764201600000},\"isBase64Encoded\":false}"),
        new Scenario("dev.cumulus.runtime.training.Echo", "{\"bytes\":\"as they came\",\"n\":[1,2,3]}"),
    };

    private Training() {}

    public static void main(String[] args) {
        int status;
        try {
            int invocations = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_INVOCATIONS;
            Path work = args.length > 1 ? Files.createDirectories(Path.of(args[1]))
                    : Files.createTempDirectory("cumulus-training-");
            int answered = run(invocations, work, System.out);
            System.out.println("cumulus-training: " + answered + " invocations answered");
            status = answered == invocations ? 0 : 1;
        } catch (Exception e) {
            System.err.println("cumulus-training: failed: " + e);
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    /**
     * Spreads {@code invocations} over the scenarios and returns how many were answered (with a
     * response or an error). Deletes what it wrote under {@code work}.
     */
    static int run(int invocations, Path work, PrintStream progress) throws IOException, InterruptedException {
        try {
            warmLambdaContexts();
            warmStringConcat();
            warmLoopbackRelay(work);
            Path taskRoot = Files.createDirectories(work.resolve("task"));
            copyHandlers(taskRoot);
            int answered = 0;
            for (int i = 0; i < SCENARIOS.length; i++) {
                int share = invocations / SCENARIOS.length + (i < invocations % SCENARIOS.length ? 1 : 0);
                answered += serve(work.resolve("rt-" + i + ".sock"), taskRoot, SCENARIOS[i], share,
                        i == 0 ? progress : null, i != 1);
            }
            return answered;
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Reads the Lambda bridge's class files (the runtime's own, see {@link LambdaBridge}), and makes
     * and uses the runtime's Lambda {@code Context} proxies against Lambda-shaped interfaces: the
     * first {@link java.lang.reflect.Proxy} of a JVM costs tens of milliseconds, which would
     * otherwise land on the first invocation of a Lambda handler whose core does not fit the bridge.
     */
    static void warmLambdaContexts() {
        LambdaBridge.preload();
        LambdaContexts contexts = new LambdaContexts(LambdaShapes.Context.class);
        LambdaRequestAdapter handler = new LambdaRequestAdapter(new LambdaShapedCall(), Map.class, contexts);
        byte[] event = "{\"name\":\"Ada\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        StringBuilder sink = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            InvocationContext invocation = new InvocationContext("warm-" + i, "training", "$LATEST", 256,
                    System.currentTimeMillis() + 60_000, sink::append, "arn:cumulus:lambda:local:0:function:training",
                    null, null, "{\"cognitoIdentityId\":\"id\",\"cognitoIdentityPoolId\":\"pool\"}", null, null, null);
            LambdaShapes.Context context = (LambdaShapes.Context) contexts.contextFor(invocation);
            sink.setLength(0);
            context.getLogger().log(context.getAwsRequestId() + context.getLogGroupName() + context.getLogStreamName()
                    + context.getFunctionName() + context.getFunctionVersion() + context.getInvokedFunctionArn()
                    + context.getRemainingTimeInMillis() + context.getMemoryLimitInMB() + context.getXrayTraceId()
                    + context.getIdentity().getIdentityId() + context);
            context.getLogger().log(new byte[] {'o', 'k'});
            handler.handle(event, invocation);
        }
    }

    /**
     * Links string concatenations of common shapes the way a function's own code links them: javac
     * compiles {@code "Hello, " + name + "!"} to an invokedynamic that {@link StringConcatFactory}
     * bootstraps on first use, which costs a cold start milliseconds (its classes, then a class
     * generated per shape, which it keeps for later call sites of the same shape). The runtime
     * itself is compiled without, so nothing else warms it. The shapes are the factory's: javac
     * passes objects as strings, the factory treats every reference alike and takes shortcuts for
     * one argument or two bare ones. JDK code only: nothing here is any function's.
     */
    static void warmStringConcat() {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            // what resolving the bootstrap method of a call site makes: a varargs collector
            lookup.findStatic(StringConcatFactory.class, "makeConcatWithConstants", MethodType.methodType(
                    CallSite.class, MethodHandles.Lookup.class, String.class, MethodType.class, String.class,
                    Object[].class));
            String text = "text";
            String s = (String) concat(lookup, "one \u0001", String.class).invokeExact(text);
            s = (String) concat(lookup, "one \u0001!", String.class).invokeExact(s);
            s = (String) concat(lookup, "one \u0001!", int.class).invokeExact(s.length());
            s = (String) concat(lookup, "\u0001\u0001", String.class, String.class).invokeExact(text, s);
            s = (String) concat(lookup, "\u0001 and \u0001", String.class, String.class).invokeExact(text, s);
            s = (String) concat(lookup, "\u0001 is \u0001", String.class, int.class).invokeExact(text, s.length());
            s = (String) concat(lookup, "\u0001 at \u0001", String.class, long.class).invokeExact(text, System.nanoTime());
            s = (String) concat(lookup, "\u0001 in \u0001 of \u0001", String.class, String.class, String.class)
                    .invokeExact(text, text, s);
            s = (String) concat(lookup, "\u0001: \u0001, \u0001, \u0001", String.class, String.class, String.class,
                    String.class).invokeExact(text, text, text, s);
        } catch (Throwable e) {
            // only a warm-up: the function links its own concatenations either way
        }
    }

    private static MethodHandle concat(MethodHandles.Lookup lookup, String recipe, Class<?>... arguments)
            throws StringConcatException {
        return StringConcatFactory.makeConcatWithConstants(lookup, "concat",
                MethodType.methodType(String.class, arguments), recipe).getTarget();
    }

    /**
     * What the bridge's {@code RequestCall} does for a Lambda handler, against the Lambda-shaped
     * interfaces: so that a Lambda handler's first invocation finds {@link LambdaRequestAdapter}
     * and Lambda's way of writing results (nulls left out) loaded and run before.
     */
    private static final class LambdaShapedCall implements java.util.function.BiFunction<Object, Object, Object> {
        @Override
        public Object apply(Object input, Object context) {
            LambdaShapes.Context lambda = (LambdaShapes.Context) context;
            lambda.getLogger().log(lambda.getAwsRequestId());
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("input", input);
            out.put("requestId", lambda.getAwsRequestId());
            out.put("absent", null);
            return out;
        }
    }

    /**
     * Opens the S3 relay on an ephemeral port and passes one connection through it (to a socket
     * nobody serves): its TCP and Unix-socket classes land in the AOT cache and, in a stem cell,
     * are initialised before any function arrives, so the relay costs a function's cold start
     * next to nothing.
     */
    static void warmLoopbackRelay(Path work) throws IOException {
        java.net.ServerSocket relay = LoopbackRelay.start("127.0.0.1:0", work.resolve("nobody.sock").toString(),
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        if (relay == null) {
            return; // no loopback here: nothing to warm
        }
        try (relay; java.net.Socket client = new java.net.Socket(relay.getInetAddress(), relay.getLocalPort())) {
            client.getOutputStream().write('x');
            client.getInputStream().read(); // the relay finds no socket behind it and closes
        } catch (java.net.SocketException reset) {
            // closed with our byte unread: a reset is as good an end as any
        }
    }

    private static void copyHandlers(Path taskRoot) throws IOException {
        Path dir = Files.createDirectories(taskRoot.resolve(HANDLER_PACKAGE));
        for (String name : HANDLER_CLASSES) {
            String resource = HANDLER_PACKAGE + name + ".class";
            try (InputStream in = Training.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("the runtime jar lacks " + resource);
                }
                Files.copy(in, dir.resolve(name + ".class"));
            }
        }
    }

    private static int serve(Path socket, Path taskRoot, Scenario scenario, int invocations, PrintStream firstAnswer,
            boolean frames) throws IOException, InterruptedException {
        Path framesPath = socket.resolveSibling(socket.getFileName() + ".frames");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(frames ? framesPath : socket));
            Counted api = frames ? new FrameApi(server, scenario, invocations, firstAnswer)
                    : new Api(server, scenario, invocations, firstAnswer);
            Thread thread = Thread.ofPlatform().daemon().name("training-runtime-api").start(api);
            Map<String, String> env = new HashMap<>();
            env.put("CUMULUS_RUNTIME_SOCKET", socket.toString());
            if (frames) {
                env.put(FrameRuntime.SOCKET_VARIABLE, framesPath.toString());
            }
            env.put("_HANDLER", scenario.handler());
            env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
            env.put("AWS_LAMBDA_FUNCTION_NAME", "cumulus-training");
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128");
            ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
            ClassLoader contextLoader = Thread.currentThread().getContextClassLoader();
            try {
                // Function logs go nowhere: an instance's stdout is the node's business, not the cache's.
                Main.run(env, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(diagnostics, true, StandardCharsets.UTF_8));
            } finally {
                // Main.run owns its process and leaves both behind; a caller in the same JVM must not see them.
                Thread.currentThread().setContextClassLoader(contextLoader);
                System.clearProperty(Main.TRACE_PROPERTY);
            }
            // Main.run returns once the API refuses the next poll; the API thread is done by then
            // unless the runtime gave up early, in which case closing the server ends it.
            server.close();
            thread.join();
            if (api.answered != invocations) {
                throw new IOException(scenario.handler() + ": " + api.answered + " of " + invocations
                        + " invocations answered; runtime said: " + diagnostics.toString(StandardCharsets.UTF_8).trim()
                        + (api.failure != null ? "; training API failed: " + api.failure : ""));
            }
            return api.answered;
        }
    }

    /** The node's side of a training run: hands out the scenario's events and counts the answers. */
    private abstract static class Counted implements Runnable {
        final ServerSocketChannel server;
        final Scenario scenario;
        final int invocations;
        private final PrintStream firstAnswer;
        volatile int answered;
        volatile Exception failure;

        Counted(ServerSocketChannel server, Scenario scenario, int invocations, PrintStream firstAnswer) {
            this.server = server;
            this.scenario = scenario;
            this.invocations = invocations;
            this.firstAnswer = firstAnswer;
        }

        /** One more answer; the first is announced, for timing a cold start. */
        void answeredOne() {
            answered++;
            if (answered == 1 && firstAnswer != null) {
                firstAnswer.println(FIRST_ANSWER);
                firstAnswer.flush();
            }
        }

        /** A failure of the API's own, unless the server was closed under it (the run is over). */
        void failed(IOException e) {
            if (server.isOpen()) {
                failure = e;
            }
        }
    }

    /**
     * The node's side of the framed transport, just enough of it: WELCOME, an event per credit,
     * the answers counted, and STOP after the last one, which ends the runtime as the node does.
     */
    private static final class FrameApi extends Counted {
        FrameApi(ServerSocketChannel server, Scenario scenario, int invocations, PrintStream firstAnswer) {
            super(server, scenario, invocations, firstAnswer);
        }

        @Override
        public void run() {
            try (SocketChannel client = server.accept()) {
                InputStream in = Frames.inputStream(client);
                Frames.read(in, Integer.MAX_VALUE); // HELLO
                Frames.write(client, Frames.WELCOME, new Frames.Head().putInt(Frames.VERSION).toBytes(), new byte[0]);
                int credits = 0;
                int handedOut = 0;
                while (answered < invocations) {
                    while (credits > 0 && handedOut < invocations) {
                        String event = scenario.events()[handedOut % scenario.events().length];
                        Frames.write(client, Frames.EVENT, new Frames.Head().putLong(System.currentTimeMillis() + 60_000)
                                .putString("training-" + handedOut).putString("arn:cumulus:function:cumulus-training")
                                .putString("Root=1-00000000-000000000000000000000000;Sampled=0").putString(null)
                                .putString(null).putString(null).putString(null).toBytes(),
                                event.getBytes(StandardCharsets.UTF_8));
                        handedOut++;
                        credits--;
                    }
                    Frames.Frame frame = Frames.read(in, Integer.MAX_VALUE);
                    if (frame == null) {
                        return; // the runtime gave up: the count will tell
                    }
                    if (frame.type() == Frames.CREDIT) {
                        credits += frame.cursor().getInt();
                    } else if (frame.type() == Frames.RESULT || frame.type() == Frames.ERROR) {
                        answeredOne();
                    }
                }
                Frames.write(client, Frames.STOP, new Frames.Head().putString("training over").toBytes(), new byte[0]);
                // the runtime closes its end once it has stopped
                while (Frames.read(in, Integer.MAX_VALUE) != null) {
                    // a last credit may still come
                }
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    /**
     * The node's side of the Runtime API, just enough of it: hands out the scenario's events in
     * turn, counts the answers, and answers the poll after the last one with 410 so that the
     * runtime's loop ends the way it ends when the node goes away.
     */
    private static final class Api extends Counted {
        private int handedOut;

        Api(ServerSocketChannel server, Scenario scenario, int invocations, PrintStream firstAnswer) {
            super(server, scenario, invocations, firstAnswer);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    try (SocketChannel client = server.accept()) {
                        if (!serve(client)) {
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                failed(e);
            }
        }

        /** False once the last poll has been refused. */
        private boolean serve(SocketChannel client) throws IOException {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = Channels.newOutputStream(client);
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return true;
                }
                int length = 0;
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                if (requestLine.startsWith("GET /2018-06-01/runtime/invocation/next ")) {
                    if (handedOut == invocations) {
                        respond(out, "410 Gone", "", "{\"errorType\":\"TrainingOver\"}");
                        return false;
                    }
                    String id = "training-" + handedOut;
                    String event = scenario.events()[handedOut % scenario.events().length];
                    handedOut++;
                    respond(out, "200 OK", "Lambda-Runtime-Aws-Request-Id: " + id + "\r\n"
                            + "Lambda-Runtime-Deadline-Ms: " + (System.currentTimeMillis() + 60_000) + "\r\n"
                            + "Lambda-Runtime-Invoked-Function-Arn: arn:cumulus:function:cumulus-training\r\n"
                            + "Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000;Sampled=0\r\n", event);
                } else if (requestLine.startsWith("POST /2018-06-01/runtime/invocation/")) {
                    answeredOne();
                    respond(out, "202 Accepted", "", "{\"status\":\"OK\"}");
                } else {
                    // an init error or anything unexpected: the count will tell
                    respond(out, "202 Accepted", "", "{\"status\":\"OK\"}");
                }
            }
        }

        private static void respond(OutputStream out, String status, String headers, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\n" + headers
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder(64);
            for (int b = in.read(); b != -1; b = in.read()) {
                if (b == '\n') {
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
                sb.append((char) b);
            }
            return sb.isEmpty() ? null : sb.toString();
        }
    }

    /** Plain recursion: a stream pipeline here would put lambda machinery into every start-up. */
    private static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }
}
