package dev.cumulus.lambdaapi;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A function as Lambda lets callers name it: {@code NAME}, {@code NAME:QUALIFIER},
 * {@code ACCOUNT:function:NAME[:QUALIFIER]} or
 * {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]}.
 *
 * @param qualifier null when none was given
 */
record FunctionRef(String name, String qualifier) {
    private static final Pattern FORM = Pattern.compile(
            "(?:(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):)?([0-9]{12}):function:)?([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?");

    /**
     * Reads {@code functionName} and reconciles its qualifier with the {@code Qualifier}
     * parameter; an ARN or partial ARN must name {@code account}.
     */
    static FunctionRef parse(String functionName, String qualifierParam, String account) {
        if (functionName == null || functionName.isEmpty()) {
            throw LambdaError.invalid("FunctionName is required");
        }
        Matcher m = FORM.matcher(functionName);
        if (!m.matches()) {
            throw LambdaError.invalid("1 validation error detected: Value '" + functionName
                    + "' at 'functionName' failed to satisfy constraint: it must be a function name, a partial ARN"
                    + " (ACCOUNT:function:NAME) or an ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME), with an optional :QUALIFIER");
        }
        if (m.group(2) != null && !m.group(2).equals(account)) {
            throw LambdaError.notFound("Function not found: " + functionName + " (this project's functions live in account "
                    + account + ")");
        }
        String fromName = m.group(4);
        String qualifier = fromName;
        if (qualifierParam != null && !qualifierParam.isEmpty()) {
            if (fromName != null && !fromName.equals(qualifierParam)) {
                throw LambdaError.invalid("The derived qualifier from the function name does not match the specified qualifier.");
            }
            qualifier = qualifierParam;
        }
        return new FunctionRef(m.group(3), qualifier);
    }

    /** For operations on the function itself, which take no qualifier. */
    FunctionRef unqualified() {
        if (qualifier != null) {
            throw LambdaError.invalid("this operation does not take a qualifier, got '" + qualifier + "'");
        }
        return this;
    }

    String qualifiedName() {
        return qualifier == null ? name : name + ":" + qualifier;
    }
}
