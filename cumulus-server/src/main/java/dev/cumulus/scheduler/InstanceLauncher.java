package dev.cumulus.scheduler;

import dev.cumulus.aot.AotCache;
import dev.cumulus.auth.SessionCredentials;
import dev.cumulus.files.FileTrees;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionMount;
import dev.cumulus.registry.MountGuard;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.runtimeapi.FrameServer;
import dev.cumulus.runtimeapi.RuntimeApiServer;
import dev.cumulus.runtimeapi.RuntimeChannel;
import dev.cumulus.sandbox.Egress;
import dev.cumulus.sandbox.Mount;
import dev.cumulus.sandbox.Sandbox;
import dev.cumulus.sandbox.SandboxProcess;
import dev.cumulus.sandbox.SandboxSpec;
import dev.cumulus.logs.InvocationOutputBudget;
import dev.cumulus.logs.OutputLines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a function version into a running sandboxed runtime (the Java runtime, or for {@code
 * provided} the function's own {@code bootstrap}): its mounts, JVM flags, Lambda environment,
 * Runtime API endpoint and log capture. It starts instances either from
 * nothing or by specialising a pre-started stem cell, and starts those cells too.
 */
final class InstanceLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceLauncher.class);
    /** Lambda gives one full vCPU at 1,769 MB and CPU in proportion to memory below that. */
    private static final int MB_PER_VCPU = 1769;
    private static final int PIDS_LIMIT = 256;
    private static final String TASK_ROOT = "/var/task";
    private static final String SOCKET_DIR = "/run/cumulus";
    /**
     * The Java runtime's private framed transport, beside the Runtime API socket in the same
     * directory (so the same bind exposes it): docs/adr/0042-framed-runtime-transport.md.
     */
    private static final String FRAME_SOCKET = "frames.sock";
    /** Where a {@code provided} runtime finds the Runtime API inside the sandbox: the relay's port. */
    static final String RELAY_ADDRESS = "127.0.0.1:9001";
    /** Asks the Java runtime to serve {@link #RELAY_ADDRESS} as a relay to its socket (ADR 0039). */
    static final String S3_RELAY = "CUMULUS_S3_RELAY";
    /**
     * Starts the relay from the sandbox's own loopback to the instance's Runtime API socket, waits
     * until it listens (0x2329 is 9001, 0A is LISTEN) and then becomes the function's bootstrap.
     * The relay dies with the sandbox's pid namespace when the bootstrap exits.
     */
    static final String RELAY_SCRIPT = """
            command -v socat >/dev/null 2>&1 || { echo "cumulus: socat is not installed on this node; \
            provided functions need it for their Runtime API" >&2; exit 127; }
            socat TCP-LISTEN:9001,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$CUMULUS_RUNTIME_SOCKET" &
            relay=$!
            until grep -q ' 0100007F:2329 00000000:0000 0A' /proc/net/tcp; do
              kill -0 "$relay" 2>/dev/null || { echo "cumulus: the Runtime API relay did not start" >&2; exit 127; }
              sleep 0.005
            done
            exec "$@"
            """;

    private final Sandbox sandbox;
    private final RuntimeApiServer runtimeApi;
    private final Mount java;
    private final Mount runtime;
    private final Path socketRoot;
    private final Path cellRoot;
    private final Function<FunctionVersion, Path> codeDirectory;
    private final Scheduler.LogSink logs;
    private final AotCache aot;
    private final Mount aotDir;
    private final String region;
    private final MountGuard mountGuard;
    private final InstanceGrants grants;

    InstanceLauncher(Sandbox sandbox, RuntimeApiServer runtimeApi, Path runtimeJar, Path javaHome, Path socketRoot,
            Path cellRoot, MountGuard mountGuard, Function<FunctionVersion, Path> codeDirectory, Scheduler.LogSink logs,
            AotCache aot, InstanceGrants grants, String region) {
        this.grants = grants;
        this.mountGuard = mountGuard;
        this.region = region;
        this.aot = aot;
        this.aotDir = Mount.readOnly(aot.directory(), AotCache.SANDBOX_DIR);
        this.sandbox = sandbox;
        this.runtimeApi = runtimeApi;
        this.java = Mount.readOnly(javaHome, "/opt/java");
        this.runtime = Mount.readOnly(runtimeJar, "/opt/cumulus/cumulus-runtime.jar");
        this.socketRoot = socketRoot;
        this.cellRoot = cellRoot;
        this.codeDirectory = codeDirectory;
        this.logs = logs;
    }

    /** Starts the process behind {@code instance} from nothing; it is ready when it polls for work. */
    void launch(Instance instance) throws IOException {
        FunctionConfig config = instance.version.config();
        Mount code = Mount.readOnly(codeDirectory.apply(instance.version), TASK_ROOT);
        // checked again now, and bound by the real path checked: a symlink may point elsewhere since the grant
        List<Mount> granted = new ArrayList<>();
        for (FunctionMount m : config.mounts()) {
            granted.add(new Mount(mountGuard.realSource(m), m.target(), m.writable()));
        }
        Started started = start(instance.id, config.memoryMb(), config.egress(), code, granted, instance, isProvided(config),
                socket -> functionEnvironment(instance, socket, code));
        instance.attach(started.process(), started::close);
        pumpLogs(started.process(), instance.id, () -> instance);
    }

    /**
     * Starts a stem cell: the same sandbox, JVM and limits an instance of {@code memoryMb} gets,
     * with an empty code directory and no function yet.
     */
    StemCell launchCell(String id, int memoryMb) throws IOException {
        Path taskDir = Files.createDirectories(cellRoot.resolve(id).resolve("task"));
        Mount code = Mount.readOnly(taskDir, TASK_ROOT);
        StemCell cell = new StemCell(id, memoryMb, taskDir);
        Started started;
        try {
            started = start(id, memoryMb, Egress.NONE, code, List.of(), cell, false, socket -> cellEnvironment(socket));
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(cellRoot.resolve(id));
            throw e;
        }
        // leftovers would only be hard links to code that stays in the store
        cell.attach(started, () -> FileTrees.deleteQuietly(cellRoot.resolve(id)));
        pumpLogs(started.process(), id, cell::owner);
        return cell;
    }

    /**
     * Makes {@code cell} serve {@code instance}: links the function's code into the cell's code
     * directory (unless it was linked there ahead: {@link SpareTrees}), moves the cell's Runtime
     * API socket over to the instance and hands the runtime the function's environment. The
     * cell's memory limit already fits: cells are kept per memory size.
     */
    void specialise(StemCell cell, Instance instance) throws IOException {
        SpareTrees.fit(cell, codeDirectory.apply(instance.version));
        Mount code = Mount.readOnly(cell.taskDir(), TASK_ROOT);
        Map<String, String> env = functionEnvironment(instance, cell.started().socket(), code);
        cell.started().endpoint().rebind(instance);
        if (cell.started().frames() != null) {
            // the runtime connects to it once specialised: the connection is the instance's from the start
            cell.started().frames().rebind(instance);
            env.put("CUMULUS_FRAME_SOCKET", sandbox.visiblePath(cell.started().socket()) + "/" + FRAME_SOCKET);
        }
        instance.attach(cell.started().process(), cell::close);
        cell.specialise(instance, env);
    }

    /** Whether {@code config} runs its own {@code bootstrap} rather than the Java runtime. */
    static boolean isProvided(FunctionConfig config) {
        return FunctionConfig.RUNTIME_PROVIDED.equals(config.runtime());
    }

    /**
     * Starts the sandboxed process of an instance or cell. The Java runtime talks to its Unix
     * socket directly; a {@code provided} bootstrap gets {@code AWS_LAMBDA_RUNTIME_API} as TCP:
     * a relay inside the sandbox, or a loopback port of the node where instances share its
     * network anyway (the plain-process sandbox).
     */
    private Started start(String id, int memoryMb, Egress egress, Mount code, List<Mount> granted, RuntimeChannel channel,
            boolean provided,
            Function<Mount, Map<String, String>> environment) throws IOException {
        Path socketDir = Files.createDirectories(socketRoot.resolve(id));
        boolean loopback = provided && !sandbox.isolated();
        RuntimeApiServer.Endpoint endpoint = loopback
                ? runtimeApi.openLoopback(channel)
                : runtimeApi.open(socketDir.resolve("rt.sock"), channel, provided
                        ? RuntimeApiServer.Invocations.OVER_HTTP : RuntimeApiServer.Invocations.OVER_FRAMES);
        Started started = null;
        FrameServer frames = null;
        try {
            Mount socket = Mount.readOnly(socketDir, SOCKET_DIR);
            Map<String, String> env = new LinkedHashMap<>(environment.apply(socket));
            List<String> command = new ArrayList<>();
            List<Mount> mounts;
            String bootstrap = sandbox.visiblePath(code) + "/bootstrap";
            if (loopback) {
                env.remove("CUMULUS_RUNTIME_SOCKET");
                env.put("AWS_LAMBDA_RUNTIME_API", endpoint.loopbackAddress());
                command.add(bootstrap);
                mounts = new ArrayList<>(List.of(java, code));
            } else if (provided) {
                env.put("AWS_LAMBDA_RUNTIME_API", RELAY_ADDRESS);
                command.addAll(List.of("/bin/sh", "-c", RELAY_SCRIPT, "cumulus-relay", bootstrap));
                mounts = new ArrayList<>(List.of(java, code, socket));
            } else {
                frames = FrameServer.open(socketDir.resolve(FRAME_SOCKET), channel);
                env.put("CUMULUS_FRAME_SOCKET", sandbox.visiblePath(socket) + "/" + FRAME_SOCKET);
                command.add(sandbox.visiblePath(java) + "/bin/java");
                command.addAll(aot.jvmFlags(jvmFlags(memoryMb), sandbox.visiblePath(aotDir)));
                command.add("-cp");
                command.add(sandbox.visiblePath(runtime));
                command.add("dev.cumulus.runtime.Main");
                mounts = new ArrayList<>(List.of(java, runtime, code, socket, aotDir));
            }
            mounts.addAll(granted);
            SandboxSpec spec = new SandboxSpec(id, command, env, mounts, sandbox.visiblePath(code), memoryMb,
                    PIDS_LIMIT, cpuShares(memoryMb), egress);
            started = new Started(sandbox.launch(spec), endpoint, frames, socketDir, socket);
            return started;
        } finally {
            if (started == null) {
                endpoint.close();
                if (frames != null) {
                    frames.close();
                }
                deleteQuietly(socketDir);
            }
        }
    }

    /** What the runtime of a stem cell starts with: nothing about any function. */
    private Map<String, String> cellEnvironment(Mount socket) {
        Map<String, String> env = baseEnvironment(socket);
        env.put("CUMULUS_STEM_CELL", "1");
        return env;
    }

    /**
     * The Lambda environment of a function instance; the user's variables cannot override ours,
     * nor the node's grants (its API endpoint, the function's secrets). The instance learns its
     * secret values here, to keep them out of its log.
     */
    private Map<String, String> functionEnvironment(Instance instance, Mount socket, Mount code) {
        FunctionVersion version = instance.version;
        FunctionConfig config = version.config();
        Map<String, String> env = new LinkedHashMap<>(config.environment());
        InstanceGrants.Environment granted = grants.environment(version);
        env.putAll(granted.secrets());
        env.putAll(granted.plain());
        instance.redact(granted.secrets().values());
        env.putAll(baseEnvironment(socket));
        env.put("_HANDLER", config.handler());
        env.put("LAMBDA_TASK_ROOT", sandbox.visiblePath(code));
        env.put("AWS_LAMBDA_FUNCTION_NAME", config.name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", version.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(config.memoryMb()));
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.name());
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_LAMBDA_MAX_CONCURRENCY", Integer.toString(config.concurrency()));
        s3Session(instance, env);
        return env;
    }

    /**
     * The AWS SDKs' view of the node's S3 API from inside the instance (ADR 0039): session
     * credentials minted for this instance, valid only through its own socket, and the endpoint on
     * its loopback that leads there (the Java runtime's relay, or the {@code provided} runtime's
     * socat relay, which carries {@code /s3} along with the Runtime API). Only for a function with
     * an execution role, and only where the loopback is the sandbox's own: the plain-process
     * sandbox shares the node's, where a relay would be anyone's. Where the node sets the AWS
     * variables they replace the function's own; elsewhere the function's own stay (a function
     * with egress may well hold credentials for AWS itself).
     */
    private void s3Session(Instance instance, Map<String, String> env) {
        // the node's alone: a function could otherwise open a relay on the node's own loopback (plain sandbox)
        env.remove(S3_RELAY);
        if (instance.version.config().role() == null || !sandbox.isolated()) {
            return;
        }
        SessionCredentials session = instance.mintSession();
        env.put("AWS_ACCESS_KEY_ID", session.accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", session.secretAccessKey());
        env.put("AWS_SESSION_TOKEN", session.sessionToken());
        env.put("AWS_ENDPOINT_URL_S3", "http://" + RELAY_ADDRESS + "/s3");
        if (!isProvided(instance.version.config())) {
            env.put(S3_RELAY, RELAY_ADDRESS);
        }
    }

    private Map<String, String> baseEnvironment(Mount socket) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", sandbox.visiblePath(java) + "/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("TZ", ":UTC");
        env.put("HOME", "/tmp");
        env.put("CUMULUS_RUNTIME_SOCKET", sandbox.visiblePath(socket) + "/rt.sock");
        return env;
    }

    /** The instance's CPU weight: Lambda's share for its memory, in 1/1024 of a vCPU. */
    private static int cpuShares(int memoryMb) {
        return Math.max(2, memoryMb * 1024 / MB_PER_VCPU);
    }

    /**
     * Heap gets most of the memory setting but not all: metaspace, code cache and thread stacks
     * live beside it inside the same cgroup limit. Serial GC and C1 keep start-up and idle
     * footprint small, which is what short-lived function instances need most. Every instance
     * gets the flags a stem cell needs (the runtime rewrites its environment map when a cell is
     * specialised), so one AOT cache fits instances and cells alike. The virtual threads that run
     * invocations side by side get as many carriers as the CPUs the instance's cgroup lets it
     * use (ADR 0056): a second carrier in an instance held to one CPU only woke and slept.
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
                "-Djdk.virtualThreadScheduler.parallelism=" + SandboxSpec.cpus(cpuShares(memoryMb)),
                "-Xshare:auto",
                "-Djava.io.tmpdir=/tmp",
                "--add-opens=java.base/java.util=ALL-UNNAMED");
    }

    /**
     * Hands each output line to its instance, which files it under its invocation
     * ({@link Instance#output}); a stem cell's lines before it has a function go to the node's
     * own log. The output is read in bounded chunks and long lines are cut ({@link OutputLines}),
     * and each invocation's share of the log is capped ({@link InvocationOutputBudget}): what an
     * instance prints cannot grow the node's heap. A platform thread, not a virtual one: a read
     * on a process pipe blocks in native code and can pin a carrier thread for as long as the
     * instance is quiet (seen here: a node whose two carriers were both held by quiet instances'
     * pipes could not even stop its HTTP selector).
     */
    private void pumpLogs(SandboxProcess process, String id, Supplier<Instance> owner) {
        Thread.ofPlatform().daemon().stackSize(256 * 1024).name("logs-" + id).start(() -> {
            try (InputStream output = process.output()) {
                OutputLines.pump(output, OutputLines.MAX_LINE_BYTES, line -> {
                    Instance instance = owner.get();
                    if (instance == null) {
                        LOG.info("stem cell {}: {}", id, line);
                    } else {
                        instance.output(line);
                    }
                });
            } catch (IOException ignored) {
                // the process is gone; its output ends with it
            }
        });
    }

    private static void deleteQuietly(Path socketDir) {
        try {
            Files.deleteIfExists(socketDir);
        } catch (IOException ignored) {
            // a leftover directory under the run dir is harmless and goes with the node's run dir
        }
    }


    /** A started sandbox process with its Runtime API socket and, for the Java runtime, its frame socket. */
    record Started(SandboxProcess process, RuntimeApiServer.Endpoint endpoint, FrameServer frames, Path socketDir,
            Mount socket) {
        void close() {
            endpoint.close();
            if (frames != null) {
                frames.close();
            }
            deleteQuietly(socketDir);
        }
    }
}
