package dev.cumulus.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A policy document, parsed and validated (docs/iam.md has the grammar):
 * <pre>{"Version": "2026-12-01", "Statement": [{"Sid": "...", "Effect": "Allow" | "Deny",
 *   "Action": "service:Name" | [...], "Resource": "crn:cumulus:..." | [...],
 *   "Condition": {"IpAddress": {"cumulus:SourceIp": [...]}, ...}}]}</pre>
 * Anything the grammar does not name is refused with a 400 {@code MalformedPolicy} naming the
 * field, so a typo ({@code "Efect"}, {@code "NotAction"}) never turns into a statement that
 * silently grants or denies something else.
 */
public final class Policy {
    public static final String VERSION = "2026-12-01";
    static final int MAX_STATEMENTS = 100;
    static final int MAX_PATTERNS = 100;
    static final int MAX_DOCUMENT_CHARS = 32 * 1024;
    private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9*?-]{1,32}:[A-Za-z0-9*?]{1,64}");
    private static final Pattern RESOURCE_SERVICE = Pattern.compile("[a-z0-9*?-]{1,32}");
    private static final Pattern RESOURCE_PROJECT = Pattern.compile("[a-z0-9*?-]{1,63}");
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_.-]{0,128}");
    private static final Set<String> DOCUMENT_FIELDS = Set.of("Version", "Statement");
    private static final Set<String> STATEMENT_FIELDS = Set.of("Sid", "Effect", "Action", "Resource", "Condition");

    public enum Effect {
        ALLOW, DENY
    }

    /** One statement; {@code label} names it in decisions: its Sid, or its position. */
    record Statement(String label, Effect effect, List<String> actions, List<String> resources,
            List<Condition> conditions) {}

    private final String name;
    private final List<Statement> statements;
    private final JsonNode document;

    private Policy(String name, List<Statement> statements, JsonNode document) {
        this.name = name;
        this.statements = List.copyOf(statements);
        this.document = document;
    }

    /** What decisions call this policy: where it is attached, e.g. {@code api-key:k-1/0}. */
    public String name() {
        return name;
    }

    List<Statement> statements() {
        return statements;
    }

    /** The document as given (validated), for GETs and storage. */
    public JsonNode document() {
        return document;
    }

    /** The same document under another name (as attached somewhere else). */
    public Policy named(String newName) {
        return new Policy(newName, statements, document);
    }

    /**
     * The policy that makes a principal an admin of its project: everything on every resource of
     * {@code project}, nothing elsewhere.
     */
    public static Policy admin(String project) {
        ObjectNode statement = Json.MAPPER.createObjectNode()
                .put("Sid", "ProjectAdmin").put("Effect", "Allow").put("Action", "*")
                .put("Resource", Crn.PREFIX + "*:" + project + ":*");
        ObjectNode document = Json.MAPPER.createObjectNode().put("Version", VERSION);
        document.putArray("Statement").add(statement);
        return parse("admin", document);
    }

    /** Parses a document held as text (from the Store). */
    public static Policy parse(String name, String json) {
        if (json.length() > MAX_DOCUMENT_CHARS) {
            throw malformed("the policy document is limited to " + MAX_DOCUMENT_CHARS + " characters");
        }
        try {
            return parse(name, Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw malformed("the policy document is not valid JSON");
        }
    }

    /**
     * Validates a document.
     *
     * @throws ApiException 400 {@code MalformedPolicy} naming the first field that is wrong
     */
    public static Policy parse(String name, JsonNode document) {
        if (document == null || !document.isObject()) {
            throw malformed("a policy document is a JSON object");
        }
        if (document.toString().length() > MAX_DOCUMENT_CHARS) {
            throw malformed("the policy document is limited to " + MAX_DOCUMENT_CHARS + " characters");
        }
        unknownFields(document, DOCUMENT_FIELDS, "");
        JsonNode version = document.get("Version");
        if (version == null || !version.isTextual() || !version.asText().equals(VERSION)) {
            throw malformed("Version must be \"" + VERSION + "\"");
        }
        JsonNode list = document.get("Statement");
        if (list == null || !(list.isArray() || list.isObject())) {
            throw malformed("Statement must be a statement or an array of statements");
        }
        List<JsonNode> nodes = new ArrayList<>();
        (list.isArray() ? list : Json.MAPPER.createArrayNode().add(list)).forEach(nodes::add);
        if (nodes.size() > MAX_STATEMENTS) {
            throw malformed("Statement: at most " + MAX_STATEMENTS + " statements");
        }
        List<Statement> statements = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            statements.add(statement(nodes.get(i), "Statement[" + i + "]", i));
        }
        return new Policy(name, statements, document.deepCopy());
    }

    private static Statement statement(JsonNode node, String at, int index) {
        if (!node.isObject()) {
            throw malformed(at + " must be an object");
        }
        unknownFields(node, STATEMENT_FIELDS, at + ".");
        String label = "#" + index;
        JsonNode sid = node.get("Sid");
        if (sid != null) {
            if (!sid.isTextual() || !SID.matcher(sid.asText()).matches()) {
                throw malformed(at + ".Sid must be up to 128 letters, digits, '_', '.' or '-'");
            }
            if (!sid.asText().isEmpty()) {
                label = sid.asText();
            }
        }
        JsonNode effectNode = node.get("Effect");
        Effect effect;
        if (effectNode == null || !effectNode.isTextual()) {
            throw malformed(at + ".Effect is required: Allow or Deny");
        }
        switch (effectNode.asText()) {
            case "Allow" -> effect = Effect.ALLOW;
            case "Deny" -> effect = Effect.DENY;
            default -> throw malformed(at + ".Effect must be Allow or Deny, not '" + effectNode.asText() + "'");
        }
        List<String> actions = strings(node.get("Action"), at + ".Action");
        for (int i = 0; i < actions.size(); i++) {
            String action = actions.get(i);
            if (!action.equals("*") && !ACTION.matcher(action).matches()) {
                throw malformed(at + ".Action[" + i + "] is '*' or service:Name (wildcards * and ?), not '" + action + "'");
            }
        }
        List<String> resources = strings(node.get("Resource"), at + ".Resource");
        for (int i = 0; i < resources.size(); i++) {
            resourcePattern(resources.get(i), at + ".Resource[" + i + "]");
        }
        List<Condition> conditions = conditions(node.get("Condition"), at + ".Condition");
        return new Statement(label, effect, List.copyOf(actions), List.copyOf(resources), List.copyOf(conditions));
    }

    /** The three parts (service, project, path) of a resource pattern other than {@code *}. */
    static String[] resourcePattern(String pattern, String at) {
        if (pattern.equals("*")) {
            return null;
        }
        String rest = pattern.startsWith(Crn.PREFIX) ? pattern.substring(Crn.PREFIX.length()) : null;
        int first = rest == null ? -1 : rest.indexOf(':');
        int second = first < 0 ? -1 : rest.indexOf(':', first + 1);
        if (second < 0 || second == rest.length() - 1) {
            throw malformed(at + " is '*' or " + Crn.PREFIX + "<service>:<project>:<path>, not '" + pattern + "'");
        }
        String[] parts = {rest.substring(0, first), rest.substring(first + 1, second), rest.substring(second + 1)};
        if (!RESOURCE_SERVICE.matcher(parts[0]).matches()) {
            throw malformed(at + ": '" + parts[0] + "' is not a service (pattern)");
        }
        if (!RESOURCE_PROJECT.matcher(parts[1]).matches()) {
            throw malformed(at + ": '" + parts[1] + "' is not a project (pattern)");
        }
        return parts;
    }

    private static List<String> strings(JsonNode node, String at) {
        if (node == null) {
            throw malformed(at + " is required: a string or an array of strings");
        }
        List<String> values = new ArrayList<>();
        if (node.isTextual()) {
            values.add(node.asText());
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isTextual() || node.get(i).asText().isEmpty()) {
                    throw malformed(at + "[" + i + "] must be a non-empty string");
                }
                values.add(node.get(i).asText());
            }
        } else {
            throw malformed(at + " must be a string or a non-empty array of strings");
        }
        if (values.size() > MAX_PATTERNS) {
            throw malformed(at + ": at most " + MAX_PATTERNS + " entries");
        }
        return values;
    }

    private static List<Condition> conditions(JsonNode node, String at) {
        List<Condition> conditions = new ArrayList<>();
        if (node == null) {
            return conditions;
        }
        if (!node.isObject()) {
            throw malformed(at + " must be an object of operators");
        }
        for (Map.Entry<String, JsonNode> operator : node.properties()) {
            String op = operator.getKey();
            String opAt = at + "." + op;
            switch (op) {
                case "IpAddress", "NotIpAddress" -> {
                    List<String> values = conditionValues(operator.getValue(), opAt, "cumulus:SourceIp");
                    List<Condition.Cidr> ranges = new ArrayList<>();
                    for (int i = 0; i < values.size(); i++) {
                        ranges.add(cidr(values.get(i), opAt + ".cumulus:SourceIp[" + i + "]"));
                    }
                    conditions.add(new Condition.SourceIp(op.equals("NotIpAddress"), List.copyOf(ranges)));
                }
                case "DateGreaterThan", "DateLessThan" -> {
                    List<String> values = conditionValues(operator.getValue(), opAt, "cumulus:CurrentTime");
                    List<Instant> instants = new ArrayList<>();
                    for (int i = 0; i < values.size(); i++) {
                        try {
                            instants.add(Instant.parse(values.get(i)));
                        } catch (DateTimeParseException e) {
                            throw malformed(opAt + ".cumulus:CurrentTime[" + i + "] is not an ISO-8601 instant "
                                    + "(2026-12-01T00:00:00Z): '" + values.get(i) + "'");
                        }
                    }
                    conditions.add(new Condition.CurrentTime(op.equals("DateGreaterThan"), List.copyOf(instants)));
                }
                default -> throw malformed(at + ": unknown condition operator '" + op
                        + "' (IpAddress, NotIpAddress, DateGreaterThan, DateLessThan)");
            }
        }
        return conditions;
    }

    private static List<String> conditionValues(JsonNode block, String at, String key) {
        if (!block.isObject() || block.size() != 1 || block.get(key) == null) {
            throw malformed(at + " takes exactly one key, " + key);
        }
        return strings(block.get(key), at + "." + key);
    }

    static Condition.Cidr cidr(String text, String at) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        // only literals (ofLiteral never asks DNS), and only the usual four-part IPv4 form
        boolean v4 = address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = !v4 && address.matches("[0-9A-Fa-f:.]+") && address.contains(":");
        byte[] network;
        try {
            if (!v4 && !v6) {
                throw new IllegalArgumentException();
            }
            network = InetAddress.ofLiteral(address).getAddress();
        } catch (IllegalArgumentException e) {
            throw malformed(at + " is not an IPv4 or IPv6 range (CIDR): '" + text + "'");
        }
        if (v6 && network.length == 4) {
            throw malformed(at + ": write an IPv4-mapped range as IPv4: '" + text + "'");
        }
        int bits = network.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
                throw malformed(at + ": the prefix length must be 0 to " + bits + ": '" + text + "'");
            }
            prefix = Integer.parseInt(length);
        }
        return new Condition.Cidr(network, prefix, text);
    }

    private static void unknownFields(JsonNode node, Set<String> known, String at) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!known.contains(field.getKey())) {
                throw malformed(at + field.getKey() + " is not a policy field (" + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    static ApiException malformed(String message) {
        return ApiException.badRequest("MalformedPolicy", message);
    }
}
