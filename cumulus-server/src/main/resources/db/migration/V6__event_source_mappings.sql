-- Event source mappings (ADR 0014): a broker subscription bound to a function. Portable between
-- SQLite and PostgreSQL: BIGINT epoch milliseconds for times, TEXT for JSON.
CREATE TABLE event_source_mappings (
    name         VARCHAR(64) NOT NULL PRIMARY KEY,
    source_type  VARCHAR(16) NOT NULL,
    -- url, topic/subject/stream/queue, function, batch settings, ordering, retries, onFailure
    config       TEXT        NOT NULL,
    enabled      BOOLEAN     NOT NULL,
    created_at   BIGINT      NOT NULL,
    updated_at   BIGINT      NOT NULL
);
