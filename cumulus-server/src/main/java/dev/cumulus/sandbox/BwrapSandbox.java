package dev.cumulus.sandbox;

import dev.cumulus.files.FileTrees;
import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Bubblewrap namespaces plus cgroup limits; see docs/adr/0004-sandbox.md. */
final class BwrapSandbox implements Sandbox {

    /**
     * Joins the cgroups with the shell's own pid and only then execs bwrap in the same process,
     * so nothing the instance ever forks can start outside its limits. On the way it opens the
     * environment file as descriptor 3 for bwrap and unlinks it (the values exist on disk for the
     * few milliseconds of a launch, in a 600 file of the node's 700 data dir), and the exec opens
     * the seccomp program on {@link BwrapArgs#SECCOMP_FD} (ProcessBuilder cannot pass a descriptor
     * itself); if either cannot be opened, the shell fails and bwrap never runs.
     */
    static final String JOIN_SCRIPT =
            "for f in $CUMULUS_CGROUP_PROCS; do echo $$ > \"$f\" || exit 125; done; "
            + "exec " + BwrapArgs.ENV_FD + "< \"$CUMULUS_ENV_FILE\" || exit 125; rm -f \"$CUMULUS_ENV_FILE\"; "
            + "seccomp=$CUMULUS_SECCOMP; unset CUMULUS_CGROUP_PROCS CUMULUS_ENV_FILE CUMULUS_SECCOMP; "
            + "exec \"$@\" " + BwrapArgs.SECCOMP_FD + "< \"$seccomp\"";

    private final Path bwrap;
    private final CgroupDriver cgroups;
    private final SystemRoot root;
    private final Path seccomp;
    private final Path scratchDir;
    private final EgressNetworks networks;
    private final Path nsswitchWithDns;

    private BwrapSandbox(Path bwrap, CgroupDriver cgroups, SystemRoot root, Path seccomp, Path scratchDir,
            EgressNetworks networks) throws IOException {
        this.bwrap = bwrap;
        this.networks = networks;
        this.nsswitchWithDns = scratchDir.resolve(".etc").resolve("nsswitch-dns.conf");
        Files.writeString(nsswitchWithDns, SystemRoot.NSSWITCH_WITH_DNS);
        this.scratchDir = scratchDir;
        this.cgroups = cgroups;
        this.root = root;
        this.seccomp = seccomp;
    }

    /** Finds bwrap and cgroups and proves a namespaced, limited process starts; else says why not. */
    static BwrapSandbox open(Path scratchDir) throws IOException {
        Path bwrap = Executables.find("bwrap")
                .orElseThrow(() -> new IOException("bwrap not found on PATH (install the bubblewrap package)"));
        CgroupDriver cgroups = CgroupDriver.detect();
        for (Map.Entry<String, String> problem : cgroups.controllerProblems().entrySet()) {
            if (problem.getValue() != null && !problem.getKey().equals("cpu")) {
                throw new IOException("cgroup " + problem.getKey() + " controller unusable: " + problem.getValue());
            }
        }
        // fail closed: no filter, no sandbox
        Path seccomp = SeccompFilter.compileCached(scratchDir);
        EgressNetworks networks = EgressNetworks.probe();
        networks.removeAbandoned();
        var sandbox = new BwrapSandbox(bwrap, cgroups, SystemRoot.prepare(scratchDir), seccomp, scratchDir, networks);
        sandbox.smokeTest();
        return sandbox;
    }

    private void smokeTest() throws IOException {
        var spec = new SandboxSpec("probe-" + UUID.randomUUID(), List.of("/bin/sh", "-c", "exit 0"),
                Map.of(), List.of(), "/", 64, 16, 2, Egress.NONE);
        SandboxProcess p = launch(spec);
        try {
            ExitStatus status = p.onExit().get(10, TimeUnit.SECONDS);
            if (!(status instanceof ExitStatus.Exited(int code) && code == 0)) {
                throw new IOException("bwrap could not start a sandboxed process (" + status + "): "
                        + new String(p.output().readAllBytes(), StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while testing bwrap", e);
        } catch (Exception e) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("bwrap test launch failed: " + e, e);
        } finally {
            p.destroy();
        }
    }

    String describe() {
        return bwrap + ", cgroup " + cgroups.describe() + ", " + SeccompFilter.describe();
    }

    @Override
    public String egressProblem() {
        return networks.problem();
    }

    @Override
    public String kind() {
        return "bwrap";
    }

    @Override
    public boolean isolated() {
        return true;
    }

    @Override
    public String visiblePath(Mount mount) {
        return mount.sandboxPath();
    }

    @Override
    public SandboxProcess launch(SandboxSpec spec) throws IOException {
        SpecChecks.check(spec);
        // an instance that may reach something runs in a namespace of its own, fenced by the node
        EgressNetworks.Lease network = spec.egress().mode() == Egress.Mode.NONE
                ? null : networks.open(spec.egress(), SystemRoot.HOSTS);
        InstanceCgroup cgroup;
        try {
            cgroup = cgroups.create(spec.instanceId(), CgroupLimits.of(spec));
        } catch (IOException | RuntimeException e) {
            if (network != null) {
                network.close();
            }
            throw e;
        }
        Path envFile = scratchDir.resolve(spec.instanceId() + ".env");
        Path hostsFile = scratchDir.resolve(spec.instanceId() + ".hosts");
        try {
            PrivateFiles.write(envFile, BwrapArgs.environmentFile(spec.environment()));
            List<String> networkArgs = List.of();
            var command = new ArrayList<String>(List.of("/bin/sh", "-c", JOIN_SCRIPT, "cumulus-join"));
            if (network != null) {
                Files.writeString(hostsFile, network.hostsFile());
                networkArgs = BwrapArgs.network(spec.egress(), hostsFile, nsswitchWithDns);
                // after the shell joined the cgroups: 'ip netns exec' mounts a /sys of the
                // namespace's own, without the host's cgroup files
                command.addAll(network.enter());
            }
            command.addAll(BwrapArgs.build(bwrap, root, spec, networkArgs));
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().put("CUMULUS_CGROUP_PROCS",
                    String.join(" ", cgroup.procsFiles().stream().map(Path::toString).toList()));
            builder.environment().put("CUMULUS_SECCOMP", seccomp.toString());
            builder.environment().put("CUMULUS_ENV_FILE", envFile.toString());
            Process process = Spawner.start(builder);
            // the shell unlinks it once open; this is for a shell that died before
            process.onExit().thenRun(() -> {
                FileTrees.deleteQuietly(envFile);
                FileTrees.deleteQuietly(hostsFile);
                if (network != null) {
                    network.close();
                }
            });
            return new BwrapProcess(process, cgroup, spec.memoryMb());
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(envFile);
            FileTrees.deleteQuietly(hostsFile);
            cgroup.remove();
            if (network != null) {
                network.close();
            }
            throw e;
        }
    }
}
