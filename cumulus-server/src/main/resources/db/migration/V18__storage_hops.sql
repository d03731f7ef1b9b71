-- The hop count of each storage-triggered invocation (ADR 0031): a function writing with its
-- execution token continues the chain of the invocation the token was minted for, also when the
-- event is retried after a restart. Rows are kept a week (an invocation, retries included, ends
-- long before), then pruned.
CREATE TABLE storage_invocation_hops (
    project     VARCHAR(63)  NOT NULL,
    request_id  VARCHAR(64)  NOT NULL,
    hops        INTEGER      NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (project, request_id)
);
CREATE INDEX storage_invocation_hops_created ON storage_invocation_hops (created_at);
