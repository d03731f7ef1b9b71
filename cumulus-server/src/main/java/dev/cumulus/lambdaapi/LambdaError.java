package dev.cumulus.lambdaapi;

import dev.cumulus.errors.ApiException;

/**
 * Refusals under Lambda's own names: an {@link ApiException} whose code is the Lambda error type
 * ({@code ResourceNotFoundException}...), which {@link LambdaErrors} writes as it is. Refusals
 * with the node's codes (from the registry, the invoker) are translated there instead.
 */
final class LambdaError {
    private LambdaError() {}

    static ApiException user(int status, String type, String message) {
        return new ApiException(status, type, message);
    }

    static ApiException invalid(String message) {
        return user(400, "InvalidParameterValueException", message);
    }

    static ApiException notFound(String message) {
        return user(404, "ResourceNotFoundException", message);
    }
}
