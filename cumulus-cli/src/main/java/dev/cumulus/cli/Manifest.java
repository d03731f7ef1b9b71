package dev.cumulus.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code cumulus.yaml} (or {@code cumulus.json}): what {@code cumulus deploy} deploys from a
 * folder. Fields not named here are errors naming the field, so a typo never passes silently.
 * {@code routes} and {@code schedules} are null when left out: then deploy leaves the function's
 * routes and schedules alone; when given (even empty) deploy makes them exactly these.
 *
 * @param code the package to upload, relative to the manifest's folder: a jar or zip (a Maven
 *     project's build output), or a folder to zip ({@code .} for a {@code provided} function)
 * @param timeout a duration as {@code --timeout} takes it: {@code 30}, {@code 30s}, {@code 5m}
 * @param urlAuth who may call the function URL, as {@code --url-auth} takes it: {@code token},
 *     {@code none} or {@code user}; null leaves the function's setting alone
 */
record Manifest(String name, String runtime, String handler, String code, Integer memory, String timeout,
                Map<String, String> env, List<Route> routes, List<Schedule> schedules, String urlAuth) {

    /** The file names deploy looks for, in a folder. */
    static final List<String> FILES = List.of("cumulus.yaml", "cumulus.yml", "cumulus.json");

    /** A route to this function, as {@code POST /v1/routes} takes it without {@code function}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Route(String method, String path, String payloadFormat, String auth, Cors cors, Throttle throttle) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
                List<String> exposeHeaders, Integer maxAgeSeconds, Boolean allowCredentials) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Throttle(Double rate, Integer burst) {}

    /** A schedule of this function, as {@code POST /v1/schedules} takes it without {@code function}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Schedule(String name, String cron, String rate, String timeZone, ObjectNode payload, Boolean enabled,
                    String catchUp) {}

    private static final ObjectMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** The one manifest in {@code dir}; none or several is a usage error saying so. */
    static Path find(Path dir) {
        List<Path> found = FILES.stream().map(dir::resolve).filter(Files::isRegularFile).toList();
        if (found.isEmpty()) {
            throw CliException.usage("no --code given and no " + String.join(" or ", FILES) + " in " + dir
                    + " (make a project with 'cumulus init NAME', or deploy NAME --code PATH --handler H)");
        }
        if (found.size() > 1) {
            throw CliException.usage(dir + " holds " + found.stream().map(p -> p.getFileName().toString()).toList()
                    + ": keep one, or choose with --manifest FILE");
        }
        return found.getFirst();
    }

    /** Reads and checks a manifest; every problem is a usage error naming the file, the field and the line. */
    static Manifest read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("--manifest " + file + ": no such file");
        }
        String label = file.getFileName().toString();
        ObjectMapper mapper = label.endsWith(".json") ? JSON : YAML;
        Manifest manifest;
        try {
            JsonNode document = mapper.readTree(file.toFile()); // only to tell an empty file (or only comments) apart
            if (document == null || document.isMissingNode() || document.isNull()) {
                throw CliException.usage(label + " is empty (it needs at least name and handler)");
            }
            manifest = mapper.readValue(file.toFile(), Manifest.class);
        } catch (UnrecognizedPropertyException e) {
            Set<String> known = new TreeSet<>();
            e.getKnownPropertyIds().forEach(id -> known.add(id.toString()));
            // no line: for records Jackson reports where the object ends, not where the field is
            throw CliException.usage(label + ": unknown field '" + path(e) + "' (known here: " + String.join(", ", known) + ")");
        } catch (JsonMappingException e) {
            String field = path(e);
            throw CliException.usage(label + (field.isEmpty() ? "" : ": " + field) + at(e.getLocation()) + ": "
                    + Cli.oneLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw CliException.usage(label + " is not valid " + (mapper == JSON ? "JSON" : "YAML") + at(e.getLocation())
                    + ": " + Cli.oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new CliException(CliException.ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
        manifest.check(label);
        return manifest;
    }

    /** What Jackson cannot see: values that must be present or well-formed, and no duplicates. */
    private void check(String label) {
        if (name != null) {
            Names.check(name);
        }
        if (timeout != null) {
            timeoutDuration(label);
        }
        if (urlAuth != null && !List.of("token", "none", "user").contains(urlAuth)) {
            throw CliException.usage(label + ": urlAuth must be token, none or user, got " + urlAuth);
        }
        if (env != null) {
            env.forEach((k, v) -> {
                if (v == null) {
                    throw CliException.usage(label + ": env." + k + " has no value (write " + k + ": \"\" for an empty one)");
                }
                try {
                    EnvVar.parse(k + "=" + v);
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(label + ": env: " + e.getMessage());
                }
            });
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; routes != null && i < routes.size(); i++) {
            Route r = routes.get(i);
            String where = label + ": routes[" + i + "]";
            if (r == null) {
                throw CliException.usage(where + " is empty (it needs method and path)");
            }
            required(where, "method", r.method());
            required(where, "path", r.path());
            if (!seen.add(r.method() + " " + r.path())) {
                throw CliException.usage(where + ": " + r.method() + " " + r.path() + " is listed twice");
            }
        }
        seen.clear();
        for (int i = 0; schedules != null && i < schedules.size(); i++) {
            Schedule s = schedules.get(i);
            String where = label + ": schedules[" + i + "]";
            if (s == null) {
                throw CliException.usage(where + " is empty (it needs name and cron or rate)");
            }
            required(where, "name", s.name());
            if ((s.cron() == null) == (s.rate() == null)) {
                throw CliException.usage(where + " (" + s.name() + ") needs exactly one of cron and rate");
            }
            if (!seen.add(s.name())) {
                throw CliException.usage(where + ": schedule " + s.name() + " is listed twice");
            }
        }
    }

    Duration timeoutDuration(String label) {
        try {
            return Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(label + ": timeout: " + e.getMessage());
        }
    }

    /** The environment as {@code --env} options would give it, in the file's order. */
    List<EnvVar> envVars() {
        List<EnvVar> vars = new ArrayList<>();
        if (env != null) {
            env.forEach((k, v) -> vars.add(new EnvVar(k, v)));
        }
        return vars;
    }

    private static void required(String where, String field, String value) {
        if (value == null || value.isBlank()) {
            throw CliException.usage(where + ": missing field '" + field + "'");
        }
    }

    /** {@code routes[0].cors.allowOrigin}: where in the document a mapping problem is. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")";
    }
}
