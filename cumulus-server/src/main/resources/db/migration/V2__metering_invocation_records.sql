-- One row per invocation. Strings are TEXT so that no value the invoker sends can be too long
-- and block the meter's batch forever.
-- GB-seconds are computed on read from billed_ms * memory_mb, summed as
-- integers, so billing totals equal the sum of the records exactly.
-- (request_id, start_ms) is unique so that a batch retried after an ambiguous commit failure
-- is not counted twice; a retried async invocation keeps its request id but starts later.
CREATE TABLE invocation_records (
    request_id            TEXT         NOT NULL,
    function_name         TEXT         NOT NULL,
    version               TEXT         NOT NULL,
    start_ms              BIGINT       NOT NULL,
    duration_micros       BIGINT       NOT NULL,
    billed_ms             BIGINT       NOT NULL,
    memory_mb             INTEGER      NOT NULL,
    cold_start            BOOLEAN      NOT NULL,
    init_duration_micros  BIGINT       NOT NULL,
    outcome               TEXT         NOT NULL,
    PRIMARY KEY (request_id, start_ms)
);

CREATE INDEX invocation_records_start ON invocation_records (start_ms);
