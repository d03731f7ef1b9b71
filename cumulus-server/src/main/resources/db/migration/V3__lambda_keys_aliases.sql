-- Portable between SQLite and PostgreSQL: BIGINT epoch milliseconds for times, TEXT for JSON.

-- Aliases: a name for a published version (or $LATEST), optionally routing a share of the
-- invocations to a second published version. Weights are parts per million of invocations so
-- they stay exact integers on both databases.
CREATE TABLE function_aliases (
    function_name       VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    name                VARCHAR(128) NOT NULL,
    function_version    VARCHAR(20)  NOT NULL,
    additional_version  VARCHAR(20),
    additional_ppm      BIGINT       NOT NULL,
    description         TEXT         NOT NULL,
    revision            VARCHAR(64)  NOT NULL,
    created_at          BIGINT       NOT NULL,
    updated_at          BIGINT       NOT NULL,
    PRIMARY KEY (function_name, name)
);

-- Access keys for AWS Signature Version 4. The secret is needed to recompute signatures, so it
-- cannot be hashed; it is stored sealed (AES-256-GCM under the node's key file, docs/adr/0011).
CREATE TABLE access_keys (
    access_key_id  VARCHAR(32)  NOT NULL PRIMARY KEY,
    secret_sealed  TEXT         NOT NULL,
    description    TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL
);
