package dev.cumulus.bench.sim;

import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.scheduler.KeepAlivePolicy;
import java.time.Instant;
import java.util.Map;

/**
 * Replays one function's arrivals against a keep-alive policy on a simulated clock. Like the
 * paper's simulator it models one instance per function: an arrival while an invocation still
 * runs is warm, an instance starts in no time. What it measures is the policy, not the platform.
 */
final class Replay {
    /** Cold starts, invocations, and idle instance-memory (GB-seconds) of one function. */
    record Outcome(long invocations, long coldStarts, double idleGbSeconds) {
        Outcome plus(Outcome o) {
            return new Outcome(invocations + o.invocations, coldStarts + o.coldStarts, idleGbSeconds + o.idleGbSeconds);
        }

        double coldPercent() {
            return invocations == 0 ? 0 : 100.0 * coldStarts / invocations;
        }
    }

    static final Outcome NONE = new Outcome(0, 0, 0);

    private Replay() {}

    static Outcome run(Trace.Fn fn, KeepAlivePolicy policy, long traceEnd) {
        // a function without a keep-alive setting, so the policy decides
        FunctionConfig config = new FunctionConfig(fn.name(), "java25", "sim.Handler", fn.memoryMb(), 900,
                Map.of(), 1000, 1, null, false);
        long cold = 0;
        double idleMillis = 0;
        long busyUntil = Long.MIN_VALUE; // no instance yet
        for (long t : fn.arrivals()) {
            if (busyUntil == Long.MIN_VALUE) {
                cold++;
            } else if (t >= busyUntil) {
                // the instance went idle at busyUntil; the policy plans with what it knew then
                KeepAlivePolicy.Plan plan = policy.idle(config, at(busyUntil));
                Loaded loaded = Loaded.of(plan, busyUntil, t);
                idleMillis += loaded.millis;
                if (!loaded.at(t)) {
                    cold++;
                }
            }
            policy.arrived(fn.name(), at(t));
            busyUntil = Math.max(busyUntil, t + fn.executionMillis());
        }
        if (busyUntil != Long.MIN_VALUE && busyUntil < traceEnd) {
            idleMillis += Loaded.of(policy.idle(config, at(busyUntil)), busyUntil, traceEnd).millis;
        }
        return new Outcome(fn.arrivals().length, cold, idleMillis / 1000.0 * fn.memoryMb() / 1024.0);
    }

    /** How long an instance was loaded in the idle gap [from, to), and whether it is loaded at {@code to}. */
    private record Loaded(long millis, long keepUntil, long prewarmAt, long prewarmUntil) {
        static Loaded of(KeepAlivePolicy.Plan plan, long from, long to) {
            long keepUntil = plan.keepUntil().toEpochMilli();
            long millis = overlap(from, keepUntil, from, to);
            long prewarmAt = Long.MAX_VALUE, prewarmUntil = Long.MAX_VALUE;
            if (plan.prewarms()) {
                prewarmAt = Math.max(from, plan.prewarmAt().toEpochMilli());
                prewarmUntil = plan.prewarmUntil().toEpochMilli();
                // one instance: a pre-warm due while the idle one is still kept starts nothing
                // (the scheduler only pre-warms an empty pool), so the overlap counts once
                millis += overlap(prewarmAt, prewarmUntil, from, to)
                        - overlap(prewarmAt, Math.min(prewarmUntil, keepUntil), from, to);
            }
            return new Loaded(millis, keepUntil, prewarmAt, prewarmUntil);
        }

        boolean at(long t) {
            return t < keepUntil || (t >= prewarmAt && t < prewarmUntil);
        }

        private static long overlap(long a, long b, long from, long to) {
            return Math.max(0, Math.min(b, to) - Math.max(a, from));
        }
    }

    private static Instant at(long millis) {
        return Instant.ofEpochMilli(millis);
    }
}
