package dev.cumulus.lambdaapi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.Alias;
import dev.cumulus.registry.CodeRef;
import dev.cumulus.registry.FunctionConfig;
import dev.cumulus.registry.FunctionVersion;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** Lambda's response documents (FunctionConfiguration, AliasConfiguration) from registry records. */
final class Shapes {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Shapes() {}

    /** The host's architecture in Lambda's words: instances run on the node's own CPU. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x86_64";
    }

    /** The role a function reports when none was given: Cumulus has no IAM roles yet. */
    static String defaultRole(Scope scope) {
        return "arn:aws:iam::" + scope.account() + ":role/cumulus-function";
    }

    /**
     * A FunctionConfiguration: the registry's settings, the kept ones ({@link KeptSettings}) and
     * {@code revisionId} (which changes when either changes).
     */
    static ObjectNode configuration(Scope scope, FunctionVersion version, Instant lastModified, ObjectNode kept,
            String revisionId) {
        FunctionConfig config = version.config();
        ObjectNode out = NODES.objectNode();
        out.put("FunctionName", config.name());
        // as Lambda: $LATEST is the unqualified ARN, a published version carries its number
        out.put("FunctionArn", scope.arn(config.name(),
                version.version().equals(FunctionVersion.LATEST) ? null : version.version()));
        out.put("Handler", config.handler());
        out.put("CodeSize", version.code().sizeBytes());
        out.put("Timeout", config.timeoutSeconds());
        out.put("MemorySize", config.memoryMb());
        out.put("LastModified", LAST_MODIFIED.format(lastModified));
        out.put("CodeSha256", codeSha256(version.code()));
        out.put("Version", version.version());
        ObjectNode variables = out.putObject("Environment").putObject("Variables");
        config.environment().forEach(variables::put);
        KeptSettings.describe(out, kept, config, defaultRole(scope));
        out.put("RevisionId", revisionId);
        out.put("State", "Active");
        out.put("LastUpdateStatus", "Successful");
        out.put("PackageType", "Zip");
        return out;
    }

    static ObjectNode alias(Scope scope, Alias alias) {
        ObjectNode out = NODES.objectNode();
        out.put("AliasArn", scope.arn(alias.functionName(), alias.name()));
        out.put("Name", alias.name());
        out.put("FunctionVersion", alias.functionVersion());
        out.put("Description", alias.description());
        if (alias.routing() != null) {
            out.putObject("RoutingConfig").putObject("AdditionalVersionWeights")
                    .put(alias.routing().version(), alias.routing().weight());
        }
        out.put("RevisionId", alias.revision());
        return out;
    }

    /** Lambda reports the code's SHA-256 in base64, Cumulus stores it in hex. */
    static String codeSha256(CodeRef code) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(code.sha256()));
    }
}
