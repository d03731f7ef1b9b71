package dev.cumulus.cli;

import java.util.regex.Pattern;

/** Function names are 1-64 characters of {@code [A-Za-z0-9_-]}; checked here so that a typo fails before an upload. */
final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern QUALIFIER = Pattern.compile("[A-Za-z0-9_$-]{1,64}");

    private Names() {}

    static String check(String name) {
        if (!NAME.matcher(name).matches()) {
            throw CliException.usage("invalid function name '" + name + "' (1-64 characters of A-Z a-z 0-9 _ -)");
        }
        return name;
    }

    /** {@code name} or {@code name:version}. */
    static String checkQualified(String ref) {
        int colon = ref.indexOf(':');
        if (colon < 0) {
            return check(ref);
        }
        check(ref.substring(0, colon));
        String q = ref.substring(colon + 1);
        if (!QUALIFIER.matcher(q).matches()) {
            throw CliException.usage("invalid version '" + q + "' in '" + ref + "' (use NAME or NAME:VERSION)");
        }
        return ref;
    }
}
