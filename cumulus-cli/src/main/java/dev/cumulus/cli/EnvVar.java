package dev.cumulus.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** One {@code --env KEY=VALUE}. The value may be empty and may contain {@code =}. */
public record EnvVar(String key, String value) {
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public static EnvVar parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("'" + text + "' is not KEY=VALUE");
        }
        String key = text.substring(0, eq);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has an empty name (use KEY=VALUE)");
        }
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("'" + key + "' is not a valid variable name (letters, digits and _, not starting with a digit)");
        }
        return new EnvVar(key, text.substring(eq + 1));
    }

    /** In order given; naming a variable twice is a usage error rather than a silent last-wins. */
    public static Map<String, String> toMap(List<EnvVar> vars) {
        Map<String, String> map = new LinkedHashMap<>();
        for (EnvVar v : vars) {
            if (map.putIfAbsent(v.key(), v.value()) != null) {
                throw CliException.usage("--env " + v.key() + " is given twice");
            }
        }
        return map;
    }

    public static final class Converter implements CommandLine.ITypeConverter<EnvVar> {
        @Override
        public EnvVar convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
