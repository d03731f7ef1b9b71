/**
 * Schedules: cron and rate triggers that invoke a function asynchronously with an EventBridge
 * "Scheduled Event". Owns the schedule table, the tick arithmetic (time zones, DST), the one
 * dispatcher thread that claims each tick once in the database before handing it to the
 * {@link dev.cumulus.invoke.AsyncInvoker}, the catch-up policy for ticks missed while the node was
 * down, and the admin {@code /v1/schedules} mount.
 */
package dev.cumulus.schedules;
