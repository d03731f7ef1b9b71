/**
 * Metering: one {@link dev.cumulus.metering.InvocationRecord} per invocation, written off the hot
 * path in batches, and the usage totals billing is computed from.
 */
package dev.cumulus.metering;
