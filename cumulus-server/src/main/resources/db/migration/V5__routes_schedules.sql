-- Portable between SQLite and PostgreSQL: BIGINT epoch milliseconds for times, TEXT for JSON.

-- HTTP routes of the API gateway. path_key is the path with parameter names left out, so that
-- /users/{id} and /users/{userId} with one method collide. settings holds the route's JSON
-- options (payload format, auth, CORS, throttle).
CREATE TABLE routes (
    id             VARCHAR(40)  NOT NULL PRIMARY KEY,
    project        VARCHAR(64)  NOT NULL,
    method         VARCHAR(16)  NOT NULL,
    path           TEXT         NOT NULL,
    path_key       VARCHAR(1024) NOT NULL,
    function_name  TEXT         NOT NULL,
    settings       TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    UNIQUE (project, method, path_key)
);

-- Cron and rate schedules. next_due_ms is the next tick to fire: a dispatcher claims a tick by
-- moving it forward with a compare-and-set on the old value, in the transaction that records
-- the tick below, so no tick fires twice.
CREATE TABLE schedules (
    id             VARCHAR(40)  NOT NULL PRIMARY KEY,
    project        VARCHAR(64)  NOT NULL,
    name           VARCHAR(64)  NOT NULL,
    function_name  TEXT         NOT NULL,
    expression     TEXT         NOT NULL,
    time_zone      TEXT         NOT NULL,
    payload        TEXT,
    catch_up       TEXT         NOT NULL,
    enabled        BOOLEAN      NOT NULL,
    anchor_ms      BIGINT       NOT NULL,
    next_due_ms    BIGINT       NOT NULL,
    fired_ticks    BIGINT       NOT NULL,
    skipped_ticks  BIGINT       NOT NULL,
    last_fired_ms  BIGINT,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    UNIQUE (project, name)
);

CREATE INDEX schedules_due ON schedules (enabled, next_due_ms);

-- The recent ticks of each schedule: claimed (handed to the async invoker once sent), sent,
-- failed (the handoff was refused), or skipped (missed outside the catch-up window; skipped
-- counts the ticks one row stands for). The key makes a tick claimable once.
CREATE TABLE schedule_ticks (
    schedule_id    VARCHAR(40)  NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    tick_ms        BIGINT       NOT NULL,
    outcome        VARCHAR(16)  NOT NULL,
    skipped        BIGINT       NOT NULL,
    request_id     TEXT,
    message        TEXT,
    claimed_at     BIGINT       NOT NULL,
    PRIMARY KEY (schedule_id, tick_ms)
);
