package dev.cumulus.scheduler;

import dev.cumulus.registry.FunctionVersion;
import java.time.Instant;
import java.util.Map;

/**
 * What the node gives an instance beyond its function's configuration: variables its process
 * starts with (the function's secrets among them) and each invocation's execution token. Decided
 * outside the scheduler (the Platform wires keys and the secrets store in), so the scheduler
 * never holds a key; a seam like {@link dev.cumulus.runtimeapi.RuntimeChannel}.
 */
public interface InstanceGrants {
    /** Nothing beyond the configuration: no node variables, no secrets, no tokens. */
    InstanceGrants NONE = new InstanceGrants() {
        @Override
        public Environment environment(FunctionVersion version) {
            return Environment.EMPTY;
        }

        @Override
        public String token(FunctionVersion version, String requestId, Instant deadline) {
            return null;
        }
    };

    /**
     * What a new instance of {@code version} starts with beyond the function's own variables,
     * read once per instance: a change reaches new instances (the node retires old ones).
     */
    Environment environment(FunctionVersion version);

    /** The execution token of one invocation ending at {@code deadline}; null when the function has no role. */
    String token(FunctionVersion version, String requestId, Instant deadline);

    /**
     * Variables for an instance's environment. Both win over the function's own variables of the
     * same name. Every value of {@code secrets} is replaced by {@code ***} in the instance's
     * output before it reaches the logs.
     */
    record Environment(Map<String, String> plain, Map<String, String> secrets) {
        public static final Environment EMPTY = new Environment(Map.of(), Map.of());

        public Environment {
            plain = Map.copyOf(plain);
            secrets = Map.copyOf(secrets);
        }
    }
}
