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
    /** Cumulus keeps no IAM role; every function reports this one. */
    static final String ROLE = "arn:aws:iam::" + FunctionRef.ACCOUNT + ":role/cumulus-function";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter LAST_MODIFIED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Shapes() {}

    /** The host's architecture in Lambda's words: instances run on the node's own CPU. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "x86_64";
    }

    static ObjectNode configuration(String region, FunctionVersion version, Instant lastModified) {
        FunctionConfig config = version.config();
        ObjectNode out = NODES.objectNode();
        out.put("FunctionName", config.name());
        // as Lambda: $LATEST is the unqualified ARN, a published version carries its number
        out.put("FunctionArn", FunctionRef.arn(region, config.name(),
                version.version().equals(FunctionVersion.LATEST) ? null : version.version()));
        out.put("Runtime", config.runtime());
        out.put("Role", ROLE);
        out.put("Handler", config.handler());
        out.put("CodeSize", version.code().sizeBytes());
        out.put("Description", "");
        out.put("Timeout", config.timeoutSeconds());
        out.put("MemorySize", config.memoryMb());
        out.put("LastModified", LAST_MODIFIED.format(lastModified));
        out.put("CodeSha256", codeSha256(version.code()));
        out.put("Version", version.version());
        ObjectNode variables = out.putObject("Environment").putObject("Variables");
        config.environment().forEach(variables::put);
        out.putObject("TracingConfig").put("Mode", "PassThrough");
        out.put("RevisionId", version.revision());
        out.put("State", "Active");
        out.put("LastUpdateStatus", "Successful");
        out.put("PackageType", "Zip");
        out.putArray("Architectures").add(architecture());
        return out;
    }

    static ObjectNode alias(String region, Alias alias) {
        ObjectNode out = NODES.objectNode();
        out.put("AliasArn", FunctionRef.arn(region, alias.functionName(), alias.name()));
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
