package dev.cumulus.edge;

import dev.cumulus.metering.UsageRow;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InstanceCounts;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the REST API (see docs/rest-api.md). */
final class Views {
    private Views() {}

    record Code(String sha256, long sizeBytes) {
        static Code of(CodeRef ref) {
            return ref == null ? null : new Code(ref.sha256(), ref.sizeBytes());
        }
    }

    record Settings(String runtime, String handler, int memoryMb, int timeoutSeconds, Map<String, String> environment,
            int maxInstances, int concurrency, Integer keepAliveSeconds,
            @com.fasterxml.jackson.annotation.JsonProperty("public") boolean isPublic, int provisionedConcurrency,
            List<dev.cumulus.registry.FunctionMount> mounts, AsyncConfig async, String role, Object network,
            String urlAuth) {
        static Settings of(FunctionConfig c) {
            return new Settings(c.runtime(), c.handler(), c.memoryMb(), c.timeoutSeconds(), c.environment(),
                    c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), c.publicUrl(),
                    c.provisionedConcurrency(), c.mounts(), c.async(), c.role(), networkView(c.egress()),
                    urlAuthView(c));
        }
    }

    record Function(String name, String runtime, String handler, int memoryMb, int timeoutSeconds,
            Map<String, String> environment, int maxInstances, int concurrency, Integer keepAliveSeconds,
            @com.fasterxml.jackson.annotation.JsonProperty("public") boolean isPublic, int provisionedConcurrency,
            List<dev.cumulus.registry.FunctionMount> mounts, AsyncConfig async, String role, Object network,
            String urlAuth, Code code, Instant createdAt, Instant updatedAt, InstanceCounts instances) {
        static Function of(FunctionInfo info, InstanceCounts counts) {
            FunctionConfig c = info.config();
            return new Function(c.name(), c.runtime(), c.handler(), c.memoryMb(), c.timeoutSeconds(), c.environment(),
                    c.maxInstances(), c.concurrency(), c.keepAliveSeconds(), c.publicUrl(), c.provisionedConcurrency(),
                    c.mounts(), c.async(), c.role(), networkView(c.egress()), urlAuthView(c), Code.of(info.code()),
                    info.createdAt(), info.updatedAt(), counts);
        }
    }

    /** As PUT takes it: {@code "token"}, {@code "none"} or {@code "user"}. */
    static String urlAuthView(FunctionConfig c) {
        return c.urlAuth().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** As PUT takes it: {@code "none"}, {@code "full"} or {@code {"allow": [...]}}. */
    static Object networkView(dev.cumulus.sandbox.Egress egress) {
        return switch (egress.mode()) {
            case NONE -> "none";
            case FULL -> "full";
            case ALLOW -> Map.of("allow", egress.allowed().stream().map(Object::toString).toList());
        };
    }

    record Version(String name, String version, Code code, Settings config, Instant createdAt) {
        static Version of(FunctionVersion v) {
            return new Version(v.functionName(), v.version(), Code.of(v.code()), Settings.of(v.config()), v.createdAt());
        }
    }

    record Usage(Instant from, Instant to, List<Row> functions, Row total) {
        static Usage of(Instant from, Instant to, List<UsageRow> rows) {
            List<Row> list = rows.stream().map(Row::of).toList();
            Row total = new Row(null, 0, 0, 0, 0, 0);
            for (Row r : list) {
                total = new Row(null, total.requests + r.requests, total.errors + r.errors,
                        total.coldStarts + r.coldStarts, total.billedMs + r.billedMs, total.gbSeconds + r.gbSeconds);
            }
            return new Usage(from, to, list, total);
        }
    }

    record Row(String function, long requests, long errors, long coldStarts, long billedMs, double gbSeconds) {
        static Row of(UsageRow u) {
            return new Row(u.functionName(), u.requests(), u.errors(), u.coldStarts(), u.billedMs(), u.gbSeconds());
        }
    }
}
