/**
 * Handlers run by the official AWS Lambda Java runtime interface client inside a Cumulus
 * {@code provided} instance; the shell and Python bootstraps beside them need no code.
 */
package dev.cumulus.testprovided;
