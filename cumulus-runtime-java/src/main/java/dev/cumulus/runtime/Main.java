package dev.cumulus.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * Entry point of the Java runtime, started by the node inside the instance's sandbox as
 * {@code java -cp /opt/cumulus/cumulus-runtime.jar dev.cumulus.runtime.Main} with the function's
 * code in {@code LAMBDA_TASK_ROOT}.
 *
 * <p>Environment: {@code CUMULUS_RUNTIME_SOCKET} (Unix socket serving the Runtime API; preferred)
 * or {@code AWS_LAMBDA_RUNTIME_API} ({@code host:port}); {@code _HANDLER}
 * ({@code com.example.Hello} or {@code com.example.Hello::method}); {@code LAMBDA_TASK_ROOT};
 * {@code AWS_LAMBDA_FUNCTION_NAME}, {@code AWS_LAMBDA_FUNCTION_VERSION}; {@code CUMULUS_S3_RELAY}
 * ({@code 127.0.0.1:<port>}: serve the node's S3 API there, see {@link LoopbackRelay});
 * {@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}; {@code CUMULUS_FRAME_SOCKET}, when the node offers its
 * framed transport for invocations ({@link FrameRuntime}), which is then used instead of HTTP.
 *
 * <p>Exit status: never exits while the Runtime API is reachable; 1 after reporting an init
 * error, after a fatal JVM error in the function, or when the Runtime API is gone; 2 when the
 * environment names no Runtime API.
 */
public final class Main {
    /** Read by the AWS X-Ray SDK, so functions written for Lambda keep their traces. */
    static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(System.getenv(), InvocationOutput.installSystemStreams()));
    }

    /** {@link #run(Map, InvocationOutput)} writing to {@code out} and {@code err} (tests). */
    static int run(Map<String, String> environment, PrintStream out, PrintStream err) {
        return run(environment, InvocationOutput.over(out, err));
    }

    static int run(Map<String, String> environment, InvocationOutput output) {
        PrintStream err = output.err();
        RuntimeEnv env = RuntimeEnv.from(environment);
        HttpConnection http;
        try {
            http = connect(env);
        } catch (RuntimeException e) {
            err.println("cumulus-runtime: invalid Runtime API address: " + e.getMessage());
            return 2;
        }
        if (http == null) {
            err.println("cumulus-runtime: set CUMULUS_RUNTIME_SOCKET or AWS_LAMBDA_RUNTIME_API");
            return 2;
        }
        Map<String, String> functionEnvironment = environment;
        if (StemCell.isStemCell(environment)) {
            StemCell.warmUp();
            try {
                functionEnvironment = StemCell.awaitFunction(http);
                env = RuntimeEnv.from(functionEnvironment);
            } catch (IOException e) {
                err.println("cumulus-runtime: stem cell not specialised: " + e.getMessage());
                http.close();
                return 1;
            }
        }
        RuntimeEnv function = env;
        NodeServices.install(() -> connect(function));
        LoopbackRelay.start(functionEnvironment.get(LoopbackRelay.VARIABLE), env.socketPath(), err);
        String frameSocket = FrameRuntime.socketPath(functionEnvironment);
        if (frameSocket != null) {
            http.close(); // the node offers its framed transport: invocations go there (ADR 0042)
            return FrameRuntime.run(frameSocket, env, output);
        }
        try (RuntimeApiClient client = new RuntimeApiClient(http, err)) {
            Handler handler;
            try {
                handler = HandlerLoader.load(env.taskRoot(), env.handler());
            } catch (InitException e) {
                err.println("cumulus-runtime: init failed (" + e.errorType() + "): " + e.getMessage());
                client.postInitError(e.errorType(), ErrorReport.forInit(e));
                return 1;
            }
            for (int i = 1; i < env.maxConcurrency(); i++) {
                startExtraPoller(i, handler, env, output);
            }
            return loop(client, handler, env, output);
        } catch (IOException e) {
            err.println("cumulus-runtime: Runtime API unreachable: " + e);
            return 1;
        }
    }

    private static HttpConnection connect(RuntimeEnv env) {
        return env.socketPath() != null ? HttpConnection.unix(env.socketPath())
                : env.runtimeApi() != null ? HttpConnection.tcp(env.runtimeApi()) : null;
    }

    /**
     * With per-instance concurrency above 1 (AWS_LAMBDA_MAX_CONCURRENCY), every further slot is
     * one more poller on its own connection sharing the one handler, as Lambda's multi-concurrency
     * runtimes do; the handler must then be thread-safe. A poller that has to stop ends the process.
     */
    private static void startExtraPoller(int index, Handler handler, RuntimeEnv env, InvocationOutput output) {
        PrintStream err = output.err();
        Thread.ofPlatform().daemon().name("invoker-" + index).start(() -> {
            int status;
            try (RuntimeApiClient client = new RuntimeApiClient(connect(env), err)) {
                status = loop(client, handler, env, output);
            } catch (IOException | RuntimeException e) {
                err.println("cumulus-runtime: Runtime API unreachable: " + e);
                status = 1;
            }
            System.exit(status);
        });
    }

    private static int loop(RuntimeApiClient client, Handler handler, RuntimeEnv env, InvocationOutput output)
            throws IOException {
        while (true) {
            Invocation invocation = client.next();
            if (invocation.traceId() != null) {
                System.setProperty(TRACE_PROPERTY, invocation.traceId());
            } else {
                System.clearProperty(TRACE_PROPERTY);
            }
            InvocationContext context = new InvocationContext(invocation.requestId(), env.functionName(),
                    env.functionVersion(), env.memoryMb(), invocation.deadlineMs(),
                    new StdoutLogger(output, invocation.requestId()), invocation.functionArn(),
                    invocation.traceId(), invocation.clientContext(), invocation.cognitoIdentity(),
                    env.logGroupName(), env.logStreamName(), invocation.cloudEvent(), invocation.token());
            byte[] result;
            try (InvocationOutput.Scope ignored = output.enter(invocation.requestId())) {
                result = handler.handle(invocation.event(), context);
            } catch (Throwable t) {
                client.postError(invocation.requestId(), ErrorReport.headerType(t), ErrorReport.forInvocation(t));
                if (t instanceof VirtualMachineError) {
                    // After an OutOfMemoryError or StackOverflowError the JVM cannot be trusted
                    // with the next event; a fresh instance can.
                    output.err().println("cumulus-runtime: exiting after " + t);
                    return 1;
                }
                continue;
            }
            client.postResponse(invocation.requestId(), result);
        }
    }
}
