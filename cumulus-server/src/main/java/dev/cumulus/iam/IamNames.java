package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import java.util.regex.Pattern;

/** The checks every IAM name and description goes through. */
final class IamNames {
    static final int MAX_DESCRIPTION = 256;
    /** User and role names: what AWS allows in IAM names, so they read the same in policies. */
    private static final Pattern PRINCIPAL_NAME = Pattern.compile("[A-Za-z0-9_.@+=-]{1,64}");

    private IamNames() {}

    /** @param kind "user" or "role", for the message */
    static String principalName(String kind, String name) {
        if (!matches(name)) {
            throw ApiException.badRequest("InvalidParameter",
                    "a " + kind + " name is 1 to 64 letters, digits and _.@+=-: '" + name + "'");
        }
        return name;
    }

    static boolean matches(String name) {
        return name != null && PRINCIPAL_NAME.matcher(name).matches();
    }

    /** A description as stored: "" for none, refused beyond {@link #MAX_DESCRIPTION} characters. */
    static String description(String description) {
        String text = description == null ? "" : description;
        if (text.length() > MAX_DESCRIPTION) {
            throw ApiException.badRequest("InvalidParameter", "description is limited to " + MAX_DESCRIPTION + " characters");
        }
        return text;
    }
}
