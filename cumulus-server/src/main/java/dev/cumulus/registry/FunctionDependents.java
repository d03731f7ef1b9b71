package dev.cumulus.registry;

import java.util.List;

/**
 * What one capability (routes, schedules, topics, event sources...) has that names a function:
 * the things that would point at nothing once the function is deleted. {@code dev.cumulus.functions.Functions}
 * asks every capability before it deletes a function, so capabilities need not know each other.
 */
public interface FunctionDependents {

    /** What in {@code project} names {@code function}, with any qualifier or none; empty when nothing does. */
    List<Dependent> of(String project, String function);

    /** Removes everything {@link #of} lists for {@code function} of {@code project} (a cascading delete). */
    void remove(String project, String function);

    /**
     * One thing that names a function.
     *
     * @param kind     what it is, e.g. {@code route}, {@code schedule}, {@code subscription}
     * @param id       how its own API names it (a route's id, a schedule's name...)
     * @param name     what to show a person after the kind, e.g. {@code GET /users/{id}}
     * @param function the reference as it is written there: {@code NAME} or {@code NAME:QUALIFIER}
     */
    record Dependent(String kind, String id, String name, String function) {
        /** {@code route GET /users/{id}}: how messages and the CLI name it. */
        public String describe() {
            return kind + " " + name;
        }
    }

    /** True when {@code reference} ({@code NAME} or {@code NAME:QUALIFIER}) names {@code function}. */
    static boolean names(String reference, String function) {
        return reference != null && reference.startsWith(function)
                && (reference.length() == function.length() || reference.charAt(function.length()) == ':');
    }
}
