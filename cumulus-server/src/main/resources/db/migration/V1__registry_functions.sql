-- Portable between SQLite and PostgreSQL: BIGINT epoch milliseconds for times, TEXT for JSON.

-- Code packages, content-addressed; the bytes live in <codeDir>/<sha256>.zip.
CREATE TABLE code_packages (
    sha256      VARCHAR(64) NOT NULL PRIMARY KEY,
    size_bytes  BIGINT      NOT NULL,
    created_at  BIGINT      NOT NULL
);

-- One row per function: its $LATEST state. last_version counts publishes so that a publish
-- takes the row's write lock and numbers stay unique under concurrency.
CREATE TABLE functions (
    name          VARCHAR(64) NOT NULL PRIMARY KEY,
    config        TEXT        NOT NULL,
    code_sha256   VARCHAR(64) NOT NULL REFERENCES code_packages (sha256),
    revision      VARCHAR(64) NOT NULL,
    last_version  BIGINT      NOT NULL,
    created_at    BIGINT      NOT NULL,
    updated_at    BIGINT      NOT NULL
);

-- Immutable published snapshots of $LATEST.
CREATE TABLE function_versions (
    function_name  VARCHAR(64) NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    version        BIGINT      NOT NULL,
    config         TEXT        NOT NULL,
    code_sha256    VARCHAR(64) NOT NULL REFERENCES code_packages (sha256),
    created_at     BIGINT      NOT NULL,
    PRIMARY KEY (function_name, version)
);
