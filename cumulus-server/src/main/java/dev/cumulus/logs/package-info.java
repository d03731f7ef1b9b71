/**
 * Function logs: every line an instance writes, tagged with the invocation it belongs to, kept
 * per function in a bounded buffer, readable as a snapshot or followed live.
 */
package dev.cumulus.logs;
