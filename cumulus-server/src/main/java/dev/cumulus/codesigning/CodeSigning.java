package dev.cumulus.codesigning;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.Database;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Json;
import dev.cumulus.web.Route;
import java.util.LinkedHashMap;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Each project's code-signing policy, and the check every deploy of new code passes through
 * (issue 11, part 9; ADR 0025). A project without a policy, or with one that does not require
 * signatures, takes unsigned code; one that requires them takes a package only with a detached
 * signature, over the package's SHA-256, by one of the keys it trusts. The node computes the
 * SHA-256 from the bytes it stored, so a package changed after signing no longer verifies.
 */
public final class CodeSigning {
    /** Most keys one project may trust. */
    public static final int MAX_KEYS = 16;
    /** Longest signature taken, base64: an ECDSA P-256 DER signature is at most 72 bytes. */
    private static final int MAX_SIGNATURE_CHARS = 256;

    /** A project's policy as stored: whether signatures are required, and by whom. */
    public record Policy(boolean required, List<String> trustedKeys) {
        public static final Policy NONE = new Policy(false, List.of());

        public Policy {
            trustedKeys = List.copyOf(trustedKeys);
        }
    }

    private final Database db;
    private final Clock clock;

    public CodeSigning(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Policy policy(String project) {
        return db.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT required, trusted_keys FROM code_signing_policies WHERE project = ?")) {
                select.setString(1, project);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        return Policy.NONE;
                    }
                    return new Policy(rs.getInt(1) != 0, keys(rs.getString(2)));
                }
            }
        });
    }

    /**
     * Replaces the project's policy after checking every key.
     *
     * @throws ApiException 400 InvalidParameter for a key that is not Ed25519 or P-256 PEM, too
     *     many keys, or a requirement without any key (no deploy could ever pass it)
     */
    public Policy put(String project, Policy policy) {
        if (policy.trustedKeys().size() > MAX_KEYS) {
            throw ApiException.badRequest("InvalidParameter", "at most " + MAX_KEYS + " trusted keys");
        }
        if (policy.required() && policy.trustedKeys().isEmpty()) {
            throw ApiException.badRequest("InvalidParameter",
                    "'required' needs at least one key in 'trustedKeys', or no deploy could pass");
        }
        List<String> normalised = new ArrayList<>();
        for (int i = 0; i < policy.trustedKeys().size(); i++) {
            try {
                normalised.add(SigningKey.parse(policy.trustedKeys().get(i)).pem());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("InvalidParameter", "'trustedKeys[" + i + "]': " + e.getMessage());
            }
        }
        Policy stored = new Policy(policy.required(), normalised);
        String keys = new String(Json.write(normalised), StandardCharsets.UTF_8);
        db.withConnection(c -> {
            try (PreparedStatement upsert = c.prepareStatement("""
                    INSERT INTO code_signing_policies (project, required, trusted_keys, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (project) DO UPDATE SET required = excluded.required,
                        trusted_keys = excluded.trusted_keys, updated_at = excluded.updated_at""")) {
                upsert.setString(1, project);
                upsert.setInt(2, stored.required() ? 1 : 0);
                upsert.setString(3, keys);
                upsert.setLong(4, clock.millis());
                return upsert.executeUpdate();
            }
        });
        return stored;
    }

    private static List<String> keys(String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<List<String>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored trusted keys are not a JSON list: " + json, e);
        }
    }

    /**
     * {@code GET /v1/code-signing} (the policy, with key ids) and {@code PUT /v1/code-signing}
     * ({@code {"required": bool, "trustedKeys": [PEM...]}}, replacing it) in the request's project.
     */
    public List<Route> routes() {
        return List.of(
                Route.get("/v1/code-signing").authorize("functions:GetCodeSigningPolicy", "functions", "*")
                        .handle(call -> call.json(200, view(policy(call.project())))),
                Route.put("/v1/code-signing").authorize("functions:PutCodeSigningPolicy", "functions", "*")
                        .handle(call -> call.json(200, view(put(call.project(), parse(call))))));
    }

    private static Policy parse(Call call) throws java.io.IOException {
        JsonNode body = Json.parseObject(Exchange.readBody(call.request(), 256 * 1024));
        for (var field : body.properties()) {
            if (!field.getKey().equals("required") && !field.getKey().equals("trustedKeys")) {
                throw ApiException.badRequest("InvalidParameter", "unknown field '" + field.getKey() + "'");
            }
        }
        JsonNode required = body.path("required");
        if (!required.isMissingNode() && !required.isBoolean()) {
            throw ApiException.badRequest("InvalidParameter", "'required' must be true or false");
        }
        List<String> keys = new ArrayList<>();
        JsonNode list = body.path("trustedKeys");
        if (!list.isMissingNode()) {
            if (!list.isArray()) {
                throw ApiException.badRequest("InvalidParameter", "'trustedKeys' must be a list of PEM public keys");
            }
            for (JsonNode key : list) {
                if (!key.isTextual()) {
                    throw ApiException.badRequest("InvalidParameter", "'trustedKeys' must be a list of PEM public keys");
                }
                keys.add(key.asText());
            }
        }
        return new Policy(required.asBoolean(false), keys);
    }

    private Map<String, Object> view(Policy policy) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("required", policy.required());
        view.put("trustedKeys", policy.trustedKeys());
        view.put("keyIds", keyIds(policy));
        return view;
    }

    /** The ids of the project's trusted keys, for listings (the keys themselves are public anyway). */
    public List<String> keyIds(Policy policy) {
        return policy.trustedKeys().stream().map(pem -> SigningKey.parse(pem).id()).toList();
    }

    /**
     * The deploy check: returns the id of the key that signed, or empty when the project does
     * not require signatures and none was given.
     *
     * @param sha256 the package's SHA-256 as the node computed it (hex)
     * @param signature the deploy's detached signature (base64), or null
     * @throws ApiException 400 CodeSignatureRequired when the project requires one and none was
     *     given; 400 InvalidCodeSignature when one was given and no trusted key made it over this
     *     package (a tampered package, another key, a malformed signature)
     */
    public Optional<String> check(String project, String sha256, String signature) {
        Policy policy = policy(project);
        if (signature == null || signature.isEmpty()) {
            if (policy.required()) {
                throw ApiException.badRequest("CodeSignatureRequired", "project " + project
                        + " accepts only signed code: give 'codeSignature', a signature over the package's SHA-256"
                        + " by one of its trusted keys (docs/iam.md, code signing)");
            }
            return Optional.empty();
        }
        byte[] signatureBytes;
        try {
            if (signature.length() > MAX_SIGNATURE_CHARS) {
                throw new IllegalArgumentException("too long");
            }
            signatureBytes = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidCodeSignature", "'codeSignature' must be a base64 signature");
        }
        byte[] digest = HexFormat.of().parseHex(sha256);
        for (String pem : policy.trustedKeys()) {
            SigningKey key = SigningKey.parse(pem);
            if (key.verifies(digest, signatureBytes)) {
                return Optional.of(key.id());
            }
        }
        throw ApiException.badRequest("InvalidCodeSignature", "the signature does not verify for package " + sha256
                + " with any key project " + project + " trusts: the package changed after signing, or another key signed it");
    }
}
