package dev.cumulus.sandbox;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Test helpers: specs with sane defaults, and reading output without blocking forever. */
final class Specs {
    static final String JDK = "/usr/lib/jvm/temurin-25-jdk-amd64";
    static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8");

    private Specs() {}

    static String newId() {
        return "t-" + UUID.randomUUID();
    }

    static SandboxSpec sh(String script) {
        return spec(List.of("/bin/sh", "-c", script), List.of(), 256, 64);
    }

    static SandboxSpec sh(String script, List<Mount> mounts) {
        return spec(List.of("/bin/sh", "-c", script), mounts, 256, 64);
    }

    static SandboxSpec spec(List<String> command, List<Mount> mounts, int memoryMb, int pids) {
        return new SandboxSpec(newId(), command, ENV, mounts, "/", memoryMb, pids, 1024, Egress.NONE);
    }

    /** All output once the process closes it; bounded so a hung sandbox fails the test instead. */
    static String allOutput(SandboxProcess p) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.output().readAllBytes(), StandardCharsets.UTF_8);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).get(60, TimeUnit.SECONDS);
    }

    static String firstLine(SandboxProcess p) throws Exception {
        var reader = new BufferedReader(new InputStreamReader(p.output(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    static ExitStatus exit(SandboxProcess p) throws Exception {
        return p.onExit().get(60, TimeUnit.SECONDS);
    }
}
