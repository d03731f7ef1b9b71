package dev.cumulus.mail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mails the node writes for end users, as plain text with {@code {{name}}} placeholders
 * ({@code project}, {@code email}, {@code link}, {@code token}); a project overrides any of them
 * in its mail settings ({@code templates: {"verification": {"subject": ..., "body": ...}}}).
 * A placeholder without a value is left empty, never shown raw.
 */
final class MailTemplates {
    static final Set<String> NAMES = Set.of("verification", "reset", "welcome", "test");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([a-zA-Z]+)\\s*}}");

    record Template(String subject, String body) {}

    private static final Map<String, Template> DEFAULTS = Map.of(
            "verification", new Template("Confirm your email address for {{project}}", """
                    Hello,

                    please confirm that {{email}} is your address for {{project}}:

                    {{link}}

                    or enter this code: {{token}}

                    The link works once, for 24 hours. If you did not sign up, ignore this mail.
                    """),
            "reset", new Template("Reset your password for {{project}}", """
                    Hello,

                    someone asked to reset the password of {{email}} for {{project}}. To choose a new one:

                    {{link}}

                    or use this code: {{token}}

                    The link works once, for 1 hour. If it was not you, ignore this mail: your password stays.
                    """),
            "welcome", new Template("Welcome to {{project}}", """
                    Hello,

                    welcome to {{project}}: your account {{email}} is ready.
                    """),
            "test", new Template("Test mail from {{project}}", """
                    This is a test mail from Cumulus: the mail settings of {{project}} deliver.
                    """));

    private MailTemplates() {}

    /** The project's own template, else the node's. */
    static Template of(String name, JsonNode overrides) {
        Template base = DEFAULTS.get(name);
        if (base == null) {
            throw new IllegalArgumentException("no mail template " + name);
        }
        JsonNode own = overrides == null ? null : overrides.get(name);
        if (own == null || own.isNull()) {
            return base;
        }
        return new Template(own.hasNonNull("subject") ? own.get("subject").asText() : base.subject(),
                own.hasNonNull("body") ? own.get("body").asText() : base.body());
    }

    /** Checks a project's overrides: known names, each an object of subject/body strings. */
    static void check(JsonNode overrides) {
        if (overrides == null || overrides.isNull()) {
            return;
        }
        if (!overrides.isObject()) {
            throw ApiException.badRequest("InvalidParameter", "templates is an object by template name");
        }
        for (var entry : overrides.properties()) {
            if (!NAMES.contains(entry.getKey())) {
                throw ApiException.badRequest("InvalidParameter", "unknown template '" + entry.getKey()
                        + "' (known: " + String.join(", ", NAMES.stream().sorted().toList()) + ")");
            }
            JsonNode t = entry.getValue();
            if (!t.isObject()) {
                throw ApiException.badRequest("InvalidParameter", "template " + entry.getKey() + " is {subject, body}");
            }
            for (var field : t.properties()) {
                if (!Set.of("subject", "body").contains(field.getKey()) || !field.getValue().isTextual()
                        || field.getValue().asText().length() > 20_000) {
                    throw ApiException.badRequest("InvalidParameter", "template " + entry.getKey()
                            + " has only subject and body, as strings of at most 20000 characters");
                }
            }
        }
    }

    static String fill(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
