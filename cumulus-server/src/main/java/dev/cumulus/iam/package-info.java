/**
 * Identity and access management (issue 11): who calls ({@link dev.cumulus.iam.Principal}), what
 * they act on ({@link dev.cumulus.iam.Crn}) and the one place that decides whether they may
 * ({@link dev.cumulus.iam.Guard}). Every HTTP API authenticates and authorises through a
 * {@code Guard}; nothing else in the node answers "may X do A on R?".
 */
package dev.cumulus.iam;
