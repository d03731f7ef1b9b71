package dev.cumulus.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lambda's ARN shape for Cumulus functions, {@code arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]},
 * shared by the Lambda API and the Runtime API's invoked-function ARN so both name a function alike.
 * The account is a 12-digit number derived from the project, the tenant boundary that an AWS
 * account is on Lambda.
 */
public final class FunctionArns {
    /** The one project a node has until projects exist. */
    public static final String DEFAULT_PROJECT = "default";

    /** Projects are few and ARNs are built per invocation and per Lambda API call: hash each once. */
    private static final Map<String, String> ACCOUNTS = new ConcurrentHashMap<>();

    private FunctionArns() {}

    /** A stable 12-digit account id for {@code project}: the first 8 bytes of its SHA-256, modulo 10^12. */
    public static String account(String project) {
        return ACCOUNTS.computeIfAbsent(project, FunctionArns::derivedAccount);
    }

    private static String derivedAccount(String project) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(project.getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return String.format("%012d", Long.remainderUnsigned(value, 1_000_000_000_000L));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The function's ARN; {@code qualifier} null for the unqualified one. */
    public static String function(String region, String project, String name, String qualifier) {
        return "arn:aws:lambda:" + region + ":" + account(project) + ":function:" + name
                + (qualifier == null ? "" : ":" + qualifier);
    }
}
