package dev.cumulus.functions;

import dev.cumulus.errors.ApiException;
import dev.cumulus.registry.AsyncConfig;
import dev.cumulus.registry.FunctionDependents;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionRegistry;
import dev.cumulus.registry.FunctionDependents.Dependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Deletes a function together with what points at it (docs/adr/0017): a delete is refused with a
 * 409 that lists the dependents, unless it cascades, which removes them first. {@link Functions}
 * deletes through here for the REST API and the Lambda API, so both refuse alike.
 *
 * <p>Dependents come from every capability that names functions ({@link FunctionDependents}) and
 * from the registry itself: other functions whose {@code $LATEST} async destination is the
 * function. A cascade clears those destinations; published versions keep theirs (they are
 * immutable), and their outcomes end undeliverable as before.
 *
 * <p>The check and the delete are not one transaction across capabilities: a route added to the
 * function in between survives it and answers 404 until removed, as one added after would.
 */
final class FunctionDeletion {

    /** What running parts of the node do when functions go or change: stop instances, drop logs. */
    interface Aftermath {
        /** {@code function} of {@code project} no longer exists. */
        void deleted(String project, String function);

        /** A cascade changed {@code info}'s {@code $LATEST} (it cleared an async destination). */
        void updated(FunctionInfo info);
    }

    private final FunctionRegistry registry;
    private final List<FunctionDependents> capabilities;
    private final Aftermath aftermath;

    FunctionDeletion(FunctionRegistry registry, List<FunctionDependents> capabilities, Aftermath aftermath) {
        this.registry = registry;
        this.capabilities = List.copyOf(capabilities);
        this.aftermath = aftermath;
    }

    /** Everything that names {@code function}, in the order capabilities were given, destinations last. */
    private List<Dependent> dependents(FunctionRegistry registry, String function) {
        List<Dependent> all = new ArrayList<>();
        for (FunctionDependents capability : capabilities) {
            all.addAll(capability.of(registry.project(), function));
        }
        all.addAll(destinations(registry, function));
        return all;
    }

    /**
     * Deletes {@code function} and its versions and aliases.
     *
     * @param cascade remove the dependents first; without it, any dependent refuses the delete
     * @throws ApiException 404 when there is no such function; 409 {@code FunctionInUse} naming
     *                      the dependents (and carrying them as {@code dependents}) when not cascading
     */
    void delete(String project, String function, boolean cascade) {
        FunctionRegistry registry = this.registry.project(project);
        if (registry.get(function).isEmpty()) {
            throw ApiException.notFound("function " + function + " does not exist");
        }
        if (!cascade) {
            List<Dependent> dependents = dependents(registry, function);
            if (!dependents.isEmpty()) {
                throw inUse(function, dependents);
            }
        } else {
            for (FunctionDependents capability : capabilities) {
                capability.remove(project, function);
            }
            clearDestinations(registry, function);
        }
        if (!registry.delete(function)) {
            throw ApiException.notFound("function " + function + " does not exist");
        }
        aftermath.deleted(project, function);
    }

    private static ApiException inUse(String function, List<Dependent> dependents) {
        String names = dependents.stream().map(Dependent::describe).collect(Collectors.joining(", "));
        return new ApiException(409, "FunctionInUse", "function " + function + " is used by " + names
                + "; remove them first, or delete with cascade to remove them too", Map.of("dependents", dependents));
    }

    /** Other functions whose {@code $LATEST} sends async outcomes to {@code function}: one per destination. */
    private List<Dependent> destinations(FunctionRegistry registry, String function) {
        List<Dependent> found = new ArrayList<>();
        for (FunctionInfo other : othersSendingTo(registry, function)) {
            AsyncConfig async = other.config().async();
            if (pointsAt(async.onSuccess(), function)) {
                found.add(destination(other, "onSuccess", function));
            }
            if (pointsAt(async.onFailure(), function)) {
                found.add(destination(other, "onFailure", function));
            }
        }
        return found;
    }

    private static Dependent destination(FunctionInfo other, String field, String function) {
        return new Dependent("function", other.name(), other.name() + " (async " + field + ")", function);
    }

    /** Clears the destinations {@link #destinations} lists from each function's {@code $LATEST}. */
    private void clearDestinations(FunctionRegistry registry, String function) {
        for (FunctionInfo other : othersSendingTo(registry, function)) {
            AsyncConfig async = other.config().async();
            AsyncConfig cleared = new AsyncConfig(async.maxRetries(), async.maxEventAgeSeconds(),
                    pointsAt(async.onSuccess(), function) ? null : async.onSuccess(),
                    pointsAt(async.onFailure(), function) ? null : async.onFailure());
            aftermath.updated(registry.put(other.config().withAsync(cleared), null));
        }
    }

    private static List<FunctionInfo> othersSendingTo(FunctionRegistry registry, String function) {
        return registry.list().stream()
                .filter(other -> !other.name().equals(function)) // its own destinations go with it
                .filter(other -> pointsAt(other.config().async().onSuccess(), function)
                        || pointsAt(other.config().async().onFailure(), function))
                .toList();
    }

    private static boolean pointsAt(String destination, String function) {
        return AsyncConfig.Destination.parse(destination)
                .filter(d -> d.kind() == AsyncConfig.Destination.Kind.FUNCTION && d.name().equals(function))
                .isPresent();
    }
}
