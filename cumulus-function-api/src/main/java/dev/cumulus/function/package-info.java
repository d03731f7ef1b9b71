/**
 * The contract between a function and Cumulus: handler interfaces and the invocation context.
 * This package has no dependencies so that function jars stay small and start fast.
 */
package dev.cumulus.function;
