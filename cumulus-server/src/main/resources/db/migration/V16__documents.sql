-- The document database (issue 16, ADR 0028, docs/documents.md). Portable between SQLite and
-- PostgreSQL: BIGINT epoch milliseconds; a document's JSON is ${json_type} (JSONB on PostgreSQL,
-- TEXT holding JSON on SQLite, queried with JSON1), set by Database.open. Declared indexes are
-- expression indexes the documents package creates at run time (db_ix_*), not migrations.

-- Collections and their settings (rules, indexes, schema, changes topic) as one JSON object;
-- doc_count lets the planner tell a small collection from a large one without counting.
CREATE TABLE db_collections (
    project     VARCHAR(63)   NOT NULL,
    name        VARCHAR(128)  NOT NULL,
    settings    TEXT          NOT NULL,
    doc_count   BIGINT        NOT NULL,
    created_at  BIGINT        NOT NULL,
    updated_at  BIGINT        NOT NULL,
    PRIMARY KEY (project, name)
);

-- Documents: version counts writes from 1 (the ETag); the id is the client's or the server's.
CREATE TABLE db_documents (
    project     VARCHAR(63)   NOT NULL,
    collection  VARCHAR(128)  NOT NULL,
    id          VARCHAR(256)  NOT NULL,
    data        ${json_type}  NOT NULL,
    version     BIGINT        NOT NULL,
    created_at  BIGINT        NOT NULL,
    updated_at  BIGINT        NOT NULL,
    PRIMARY KEY (project, collection, id)
);
