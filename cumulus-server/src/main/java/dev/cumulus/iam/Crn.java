package dev.cumulus.iam;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Cumulus resource name, {@code crn:cumulus:<service>:<project>:<path>}: what a policy's
 * {@code Resource} patterns match. The path is the resource's name within its service and
 * project: a function's name ({@code orders-create}), a bucket and key
 * ({@code photos/uploads/a.jpg}), a topic's name, {@code *} for "the service as a whole" (listing,
 * creating).
 */
public record Crn(String service, String project, String path) {
    public static final String PREFIX = "crn:cumulus:";
    private static final Pattern SERVICE = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public Crn {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(path, "path");
        if (!SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("not a service name: " + service);
        }
        if (project.isEmpty() || project.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not a project name: " + project);
        }
    }

    public static Crn of(String service, String project, String path) {
        return new Crn(service, project, path);
    }

    /**
     * Parses {@code crn:cumulus:<service>:<project>:<path>}; the path may itself hold colons.
     *
     * @throws IllegalArgumentException when {@code text} is not a CRN
     */
    public static Crn parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            throw new IllegalArgumentException("a resource name starts with " + PREFIX + ": " + text);
        }
        String rest = text.substring(PREFIX.length());
        int first = rest.indexOf(':');
        int second = first < 0 ? -1 : rest.indexOf(':', first + 1);
        if (second < 0) {
            throw new IllegalArgumentException("a resource name is " + PREFIX + "<service>:<project>:<path>: " + text);
        }
        return new Crn(rest.substring(0, first), rest.substring(first + 1, second), rest.substring(second + 1));
    }

    @Override
    public String toString() {
        return PREFIX + service + ":" + project + ":" + path;
    }
}
