-- The document database (issue 16, ADR 0028, docs/documents.md). Portable between SQLite and
-- PostgreSQL: BIGINT epoch milliseconds; a document's JSON is ${json_type} (JSONB on PostgreSQL,
-- TEXT holding JSON on SQLite, queried with JSON1), set by Database.open. Declared indexes are
-- expression indexes the documents package creates at run time (db_ix_*), not migrations.

-- Collections and their settings (rules, indexes, schema, changes topic) as one JSON object;
-- doc_count lets the planner tell a small collection from a large one without counting;
-- change_seq numbers the collection's committed writes (db_changes.seq), in commit order.
CREATE TABLE db_collections (
    project     VARCHAR(63)   NOT NULL,
    name        VARCHAR(128)  NOT NULL,
    settings    TEXT          NOT NULL,
    doc_count   BIGINT        NOT NULL,
    change_seq  BIGINT        NOT NULL,
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

-- The change log: one row per committed write, written in the write's own transaction (an
-- outbox), so a change event is published at least once even if the node dies right after the
-- commit; published_at is set once the topic took it. Realtime listeners read it by seq (SSE
-- event ids); rows older than the retention window are pruned.
CREATE TABLE db_changes (
    project       VARCHAR(63)   NOT NULL,
    collection    VARCHAR(128)  NOT NULL,
    seq           BIGINT        NOT NULL,
    doc_id        VARCHAR(256)  NOT NULL,
    type          VARCHAR(32)   NOT NULL,
    event         TEXT          NOT NULL,
    created_at    BIGINT        NOT NULL,
    published_at  BIGINT,
    PRIMARY KEY (project, collection, seq)
);
CREATE INDEX db_changes_unpublished ON db_changes (published_at, project, collection);
