/**
 * The browser client the node serves ({@code /sdk/cumulus.js}): a small ES module for single-page
 * apps, covering end-user auth, documents, queries and realtime changes (docs/database.md).
 */
package dev.cumulus.sdk;
