/**
 * Handlers written exactly as for AWS Lambda (aws-lambda-java-core interfaces, aws-lambda-java-events
 * classes, plain POJOs), which the server tests deploy unchanged to check Cumulus runs them.
 */
package dev.cumulus.testlambda;
