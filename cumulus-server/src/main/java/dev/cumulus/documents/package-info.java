/**
 * The document database (issue 16, ADR 0028, docs/documents.md): collections of JSON documents
 * per project on SQLite or PostgreSQL, queries from a validated JSON AST, transactions and
 * batches, CEL access rules for end users, and change events through the topics after commit.
 * The public surface is {@link dev.cumulus.documents.Documents} and its routes.
 */
package dev.cumulus.documents;
