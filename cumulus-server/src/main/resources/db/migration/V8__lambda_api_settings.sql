-- What the Lambda API keeps for infrastructure-as-code tools (ADR 0016): settings Cumulus has
-- one behaviour for but echoes exactly as given, tags, resource policies, function URL configs
-- and provisioned concurrency configs. Every row belongs to a project; rows go with their
-- function (foreign keys cascade). Portable between SQLite and PostgreSQL: BIGINT epoch
-- milliseconds for times, TEXT for JSON.

-- Runtime, Role, Description, Architectures, EphemeralStorage, LoggingConfig, TracingConfig as
-- the caller sent them, for $LATEST and each published version ('$LATEST' or the number).
CREATE TABLE lambda_function_settings (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    version        VARCHAR(20)  NOT NULL,
    settings       TEXT         NOT NULL,
    revision       VARCHAR(64)  NOT NULL,
    PRIMARY KEY (project, function_name, version)
);

CREATE TABLE lambda_tags (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    tag_key        VARCHAR(128) NOT NULL,
    tag_value      VARCHAR(256) NOT NULL,
    PRIMARY KEY (project, function_name, tag_key)
);

-- One statement of a function's resource policy per row; qualifier '' is the unqualified
-- function's policy. Stored, not yet evaluated (the IAM work will).
CREATE TABLE lambda_policy_statements (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    qualifier      VARCHAR(128) NOT NULL,
    sid            VARCHAR(100) NOT NULL,
    statement      TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier, sid)
);

-- A function URL config exists or not; the URL itself is always the node's /fn/NAME.
CREATE TABLE lambda_url_configs (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    qualifier      VARCHAR(128) NOT NULL,
    config         TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier)
);

CREATE TABLE lambda_provisioned_concurrency (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
    qualifier      VARCHAR(128) NOT NULL,
    requested      INTEGER      NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier)
);
