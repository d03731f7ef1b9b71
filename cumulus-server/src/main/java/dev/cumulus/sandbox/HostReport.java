package dev.cumulus.sandbox;

import dev.cumulus.files.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What {@code cumulus doctor} says about this host's ability to sandbox instances. */
public record HostReport(List<Check> checks) {

    public record Check(String name, boolean ok, String detail) {}

    public HostReport {
        checks = List.copyOf(checks);
    }

    public boolean allOk() {
        return checks.stream().allMatch(Check::ok);
    }

    /** Probes the host for real: starts a sandboxed process and creates a throwaway cgroup. */
    public static HostReport probe() {
        var checks = new ArrayList<Check>();
        Optional<Path> bwrap = Executables.find("bwrap");
        checks.add(new Check("bwrap installed", bwrap.isPresent(),
                bwrap.map(p -> p + " (" + firstLine(List.of(p.toString(), "--version")) + ")")
                        .orElse("not found on PATH; install the bubblewrap package")));
        checks.add(userNamespaces());
        checks.add(seccomp());
        CgroupDriver cgroups = null;
        try {
            cgroups = CgroupDriver.detect();
            checks.add(new Check("cgroups", true, cgroups.describe()));
            for (Map.Entry<String, String> c : cgroups.controllerProblems().entrySet()) {
                checks.add(new Check("cgroup " + c.getKey() + " controller writable", c.getValue() == null,
                        c.getValue() == null ? "yes" : c.getValue()));
            }
            checks.add(limits(cgroups));
        } catch (IOException e) {
            checks.add(new Check("cgroups", false, e.getMessage()));
        }
        String mode = sandboxLaunch(checks);
        // optional: only functions that ask for a network need it, and they are refused without it
        String egress = EgressNetworks.probe().problem();
        checks.add(new Check("network egress (optional)", true, egress == null
                ? "functions may be granted egress (ip, nft, root, IPv4 forwarding)"
                : "functions asking for a network are refused: " + egress));
        checks.add(jdk());
        checks.add(new Check("cumulus serve", mode.equals("bwrap"), mode.equals("bwrap")
                ? "starts with sandbox bwrap: instances isolated and limited"
                : "refuses to start; fix the checks above (" + Sandboxes.FIX_COMMAND + ")"));
        return new HostReport(checks);
    }

    private static Check userNamespaces() {
        Path max = Path.of("/proc/sys/user/max_user_namespaces");
        try {
            long n = Long.parseLong(CgroupFiles.read(max).trim());
            return new Check("user namespaces", n > 0, "user.max_user_namespaces = " + n);
        } catch (IOException | NumberFormatException e) {
            return new Check("user namespaces", false, "cannot read " + max + ": " + e.getMessage());
        }
    }

    /** Compiles the filter every sandbox needs (ADR 0021) into a throwaway file. */
    private static Check seccomp() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("cumulus-doctor-seccomp");
            SeccompFilter.compile(dir.resolve("filter.bpf"));
            return new Check("seccomp filter", true, SeccompFilter.describe() + ", compiled by libseccomp");
        } catch (IOException | RuntimeException e) {
            return new Check("seccomp filter", false, e.getMessage());
        } finally {
            if (dir != null) {
                FileTrees.delete(dir);
            }
        }
    }

    private static Check limits(CgroupDriver cgroups) {
        String id = "doctor-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try {
            InstanceCgroup cg = cgroups.create(id, new CgroupLimits(64L << 20, 16, 1024, CgroupLimits.CPU_PERIOD_MICROS));
            cg.remove();
            return new Check("memory and pids limits", true, "a cgroup with memory, pids and cpu limits was created");
        } catch (IOException | RuntimeException e) {
            return new Check("memory and pids limits", false, e.getMessage());
        }
    }

    /** Does exactly what {@code Sandboxes.create("bwrap", ...)} does, in a throwaway scratch dir. */
    private static String sandboxLaunch(List<Check> checks) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("cumulus-doctor");
            BwrapSandbox sandbox = BwrapSandbox.open(scratch);
            checks.add(new Check("bwrap sandbox starts", true, "namespaced, limited /bin/sh ran: " + sandbox.describe()));
            return "bwrap";
        } catch (IOException | RuntimeException e) {
            checks.add(new Check("bwrap sandbox starts", false, e.getMessage()));
            return "none";
        } finally {
            if (scratch != null) {
                FileTrees.delete(scratch);
            }
        }
    }

    private static Check jdk() {
        String home = System.getProperty("java.home");
        String detail = "Java " + Runtime.version() + " at " + home;
        boolean underUsr = Path.of(home).toAbsolutePath().normalize().startsWith("/usr/");
        return new Check("JDK", Runtime.version().feature() >= 25, detail + (underUsr
                ? " (under /usr, so visible inside sandboxes)"
                : " (outside /usr: instances need it mounted read-only)"));
    }

    private static String firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("");
        } catch (IOException e) {
            return "cannot run: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** One line per check, {@code [ OK ]} or {@code [FAIL]}, for a terminal. */
    public String render() {
        var out = new StringBuilder();
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check c : checks) {
            out.append(c.ok() ? "[ OK ] " : "[FAIL] ")
                    .append(c.name()).append(" ".repeat(width - c.name().length()))
                    .append("  ").append(c.detail()).append('\n');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
