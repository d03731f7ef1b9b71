-- Invocation records keyed by (start_ms, request_id) instead of (request_id, start_ms) (issue 12,
-- ADR 0048). The meter inserts one row per invocation, thousands a second: under the old key every
-- insert went to a random place of a B-tree keyed by a random request id, which stopped fitting
-- SQLite's page cache as the table grew, and the meter's writer became a third of the node's CPU
-- at 14k invocations a second. Starts arrive in nearly ascending order, so the rows now append.
-- The key's uniqueness is the same pair as before, so a batch retried after an ambiguous commit
-- still counts once; the separate index on start_ms is the key's prefix now and goes. On SQLite
-- the table is WITHOUT ROWID: the rows live in the key's B-tree, one tree less to write.
-- Rebuilt rather than altered: SQLite cannot change a primary key in place.
CREATE TABLE invocation_records_by_start (
    start_ms              BIGINT       NOT NULL,
    request_id            TEXT         NOT NULL,
    function_name         TEXT         NOT NULL,
    version               TEXT         NOT NULL,
    duration_micros       BIGINT       NOT NULL,
    billed_ms             BIGINT       NOT NULL,
    memory_mb             INTEGER      NOT NULL,
    cold_start            BOOLEAN      NOT NULL,
    init_duration_micros  BIGINT       NOT NULL,
    outcome               TEXT         NOT NULL,
    project               VARCHAR(64)  NOT NULL DEFAULT 'default',
    PRIMARY KEY (start_ms, request_id)
)${without_rowid};

INSERT INTO invocation_records_by_start (start_ms, request_id, function_name, version, duration_micros, billed_ms,
    memory_mb, cold_start, init_duration_micros, outcome, project)
SELECT start_ms, request_id, function_name, version, duration_micros, billed_ms,
    memory_mb, cold_start, init_duration_micros, outcome, project FROM invocation_records;

DROP TABLE invocation_records;

ALTER TABLE invocation_records_by_start RENAME TO invocation_records;

CREATE INDEX invocation_records_project_start ON invocation_records (project, start_ms);
