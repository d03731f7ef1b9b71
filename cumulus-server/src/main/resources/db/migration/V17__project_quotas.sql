-- Per-project quotas and rate limits (issue 11, part 8): one row per project that has any; a
-- NULL column is no limit. Set by the root principal only (PUT /v1/quotas).
CREATE TABLE iam_quotas (
    project                 VARCHAR(63)  NOT NULL PRIMARY KEY,
    functions               BIGINT,
    concurrent_instances    BIGINT,
    code_bytes              BIGINT,
    invocations_per_second  BIGINT,
    updated_at              BIGINT       NOT NULL
);
