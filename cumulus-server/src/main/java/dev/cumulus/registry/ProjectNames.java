package dev.cumulus.registry;

import dev.cumulus.errors.ApiException;
import java.util.regex.Pattern;

/**
 * What a project's name may be: lower-case letters, digits and dashes, 1-63 characters, starting
 * with a letter or digit. Project names travel in CRNs, ARNs' account derivation, log keys and
 * tokens, so they never contain a separator any of those use.
 */
public final class ProjectNames {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private ProjectNames() {}

    public static boolean isValid(String project) {
        return project != null && NAME.matcher(project).matches();
    }

    /** {@code project}, or a 400 InvalidProject when it is not a project name. */
    public static String requireValid(String project) {
        if (!isValid(project)) {
            throw ApiException.badRequest("InvalidProject",
                    "a project name is 1-63 characters of [a-z0-9-] starting with a letter or digit, got '" + project + "'");
        }
        return project;
    }
}
