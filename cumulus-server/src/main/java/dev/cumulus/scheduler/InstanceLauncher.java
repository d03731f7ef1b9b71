package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.sandbox.Mount;
import dev.cumulus.sandbox.Sandbox;
import dev.cumulus.sandbox.SandboxProcess;
import dev.cumulus.sandbox.SandboxSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns a function version into a running sandboxed Java runtime: its mounts, JVM flags,
 * Lambda environment, Runtime API socket and log capture.
 */
final class InstanceLauncher {
    /** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory below that. */
    private static final int MB_PER_VCPU = 1769;
    private static final int PIDS_LIMIT = 256;

    private final Sandbox sandbox;
    private final RuntimeApiServer runtimeApi;
    private final Path runtimeJar;
    private final Path javaHome;
    private final Path socketRoot;
    private final Function<FunctionVersion, Path> codeDirectory;
    private final Scheduler.LogSink logs;

    InstanceLauncher(Sandbox sandbox, RuntimeApiServer runtimeApi, Path runtimeJar, Path javaHome, Path socketRoot,
            Function<FunctionVersion, Path> codeDirectory, Scheduler.LogSink logs) {
        this.sandbox = sandbox;
        this.runtimeApi = runtimeApi;
        this.runtimeJar = runtimeJar;
        this.javaHome = javaHome;
        this.socketRoot = socketRoot;
        this.codeDirectory = codeDirectory;
        this.logs = logs;
    }

    /** Starts the process behind {@code instance}; it becomes ready when it polls for work. */
    void launch(Instance instance) throws IOException {
        FunctionConfig config = instance.version.config();
        Path socketDir = Files.createDirectories(socketRoot.resolve(instance.id));
        RuntimeApiServer.Endpoint endpoint = runtimeApi.open(socketDir.resolve("rt.sock"), instance);
        try {
            Mount java = Mount.readOnly(javaHome, "/opt/java");
            Mount runtime = Mount.readOnly(runtimeJar, "/opt/cumulus/cumulus-runtime.jar");
            Mount code = Mount.readOnly(codeDirectory.apply(instance.version), "/var/task");
            Mount socket = Mount.readOnly(socketDir, "/run/cumulus");

            List<String> command = new ArrayList<>();
            command.add(sandbox.visiblePath(java) + "/bin/java");
            command.addAll(jvmFlags(config.memoryMb()));
            command.add("-cp");
            command.add(sandbox.visiblePath(runtime));
            command.add("dev.cumulus.runtime.Main");

            Map<String, String> env = new LinkedHashMap<>(config.environment());
            env.put("PATH", sandbox.visiblePath(java) + "/bin:/usr/bin:/bin");
            env.put("LANG", "C.UTF-8");
            env.put("TZ", "UTC");
            env.put("HOME", "/tmp");
            env.put("_HANDLER", config.handler());
            env.put("LAMBDA_TASK_ROOT", sandbox.visiblePath(code));
            env.put("AWS_LAMBDA_FUNCTION_NAME", config.name());
            env.put("AWS_LAMBDA_FUNCTION_VERSION", instance.version.version());
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(config.memoryMb()));
            env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.name());
            env.put("AWS_REGION", "local");
            env.put("AWS_LAMBDA_MAX_CONCURRENCY", Integer.toString(config.concurrency()));
            env.put("CUMULUS_RUNTIME_SOCKET", sandbox.visiblePath(socket) + "/rt.sock");

            SandboxSpec spec = new SandboxSpec(instance.id, command, env, List.of(java, runtime, code, socket),
                    sandbox.visiblePath(code), config.memoryMb(), PIDS_LIMIT,
                    Math.max(2, config.memoryMb() * 1024 / MB_PER_VCPU), false);
            SandboxProcess process = sandbox.launch(spec);
            instance.attach(process, () -> {
                endpoint.close();
                deleteQuietly(socketDir);
            });
            Thread.ofVirtual().name("logs-" + instance.id).start(() -> pumpLogs(instance, process));
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            deleteQuietly(socketDir);
            throw e;
        }
    }

    /**
     * Heap gets most of the memory setting but not all: metaspace, code cache and thread stacks
     * live beside it inside the same cgroup limit. Serial GC and C1 keep start-up and idle
     * footprint small, which is what short-lived function instances need most.
     */
    static List<String> jvmFlags(int memoryMb) {
        int heapMb = Math.max(32, memoryMb * 6 / 10);
        return List.of(
                "-Xmx" + heapMb + "m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:ReservedCodeCacheSize=32m",
                "-XX:MaxMetaspaceSize=" + Math.max(64, memoryMb / 4) + "m",
                "-XX:-UsePerfData",
                "-Xshare:auto",
                "-Djava.io.tmpdir=/tmp");
    }

    private void pumpLogs(Instance instance, SandboxProcess process) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.output(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                logs.line(instance.version.functionName(), instance.id, instance.currentRequestId(), line);
            }
        } catch (IOException ignored) {
            // the process is gone; its output ends with it
        }
    }

    /** The directory holds only the socket, which the endpoint removes when it closes. */
    private static void deleteQuietly(Path socketDir) {
        try {
            Files.deleteIfExists(socketDir);
        } catch (IOException ignored) {
            // a leftover directory under the run dir is harmless and goes with the node's run dir
        }
    }
}
