/**
 * Metering: one {@link dev.cumulus.metering.InvocationRecord} per invocation, written off the hot
 * path in batches, and the usage totals billing is computed from.
 *
 * <p>Entry point: {@link dev.cumulus.metering.Metering#open}, which gives the
 * {@link dev.cumulus.metering.Meter} and the {@link dev.cumulus.metering.Usage} over one Store.
 */
package dev.cumulus.metering;
