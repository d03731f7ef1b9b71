package dev.cumulus.runtime.training;

/**
 * Interfaces shaped like aws-lambda-java-core's {@code Context} and its parts, which the runtime
 * never ships. Training makes the runtime's Lambda {@code Context} proxies against them, so that
 * the JDK's proxy machinery (about 45 ms on its first use in a JVM) is in the AOT cache and warm
 * in every stem cell before a Lambda handler arrives.
 */
public final class LambdaShapes {
    private LambdaShapes() {}

    public interface Logger {
        void log(String message);

        void log(byte[] message);

        default void log(String message, Object level) {
            log(message);
        }
    }

    public interface Identity {
        String getIdentityId();

        String getIdentityPoolId();
    }

    public interface Context {
        String getAwsRequestId();

        String getLogGroupName();

        String getLogStreamName();

        String getFunctionName();

        String getFunctionVersion();

        String getInvokedFunctionArn();

        Identity getIdentity();

        int getRemainingTimeInMillis();

        int getMemoryLimitInMB();

        Logger getLogger();

        default String getXrayTraceId() {
            return null;
        }
    }
}
