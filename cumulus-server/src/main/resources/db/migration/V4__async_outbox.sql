-- The durable outbox of asynchronous invocations (docs/adr/0012-async-delivery.md).
-- Portable between SQLite and PostgreSQL: BIGINT epoch milliseconds for times, TEXT for JSON.

-- One row per accepted event and target: a function to run, or a topic to publish to (an
-- on-success/on-failure destination). A row is written before the caller hears 202 and is only
-- ever moved between states, never deleted, until it has been terminal for the retention period.
CREATE TABLE async_events (
    request_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    project          VARCHAR(64)  NOT NULL,
    target_kind      VARCHAR(16)  NOT NULL,
    target           TEXT         NOT NULL,
    function_name    VARCHAR(64),
    idempotency_key  TEXT,
    origin_id        VARCHAR(64),
    cloud_event      TEXT         NOT NULL,
    data             TEXT         NOT NULL,
    payload_format   VARCHAR(16)  NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    attempts         INTEGER      NOT NULL,
    tries            INTEGER      NOT NULL,
    created_at       BIGINT       NOT NULL,
    next_attempt_at  BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    lease_owner      VARCHAR(64),
    lease_until      BIGINT,
    error_type       TEXT,
    error_message    TEXT
);

-- NULL keys never collide (both databases treat NULLs as distinct in a unique index).
CREATE UNIQUE INDEX async_events_idempotency ON async_events (project, function_name, idempotency_key);
CREATE INDEX async_events_due ON async_events (state, next_attempt_at);
CREATE INDEX async_events_function ON async_events (function_name, created_at);
CREATE INDEX async_events_origin ON async_events (origin_id);

-- Every try of a row, including those cut short by a node that died ('interrupted').
CREATE TABLE async_attempts (
    request_id     VARCHAR(64)  NOT NULL REFERENCES async_events (request_id) ON DELETE CASCADE,
    try_number     INTEGER      NOT NULL,
    started_at     BIGINT       NOT NULL,
    ended_at       BIGINT       NOT NULL,
    outcome        VARCHAR(16)  NOT NULL,
    version        TEXT,
    error_type     TEXT,
    error_message  TEXT,
    PRIMARY KEY (request_id, try_number)
);
