-- Functions are known by (project, name): names are unique per project, never across (issue 11,
-- docs/adr/0023-function-identity-per-project.md). Rows stored before projects become project
-- 'default'. Portable between SQLite and PostgreSQL: SQLite cannot change a primary key in place,
-- so every table keyed by a function's name is rebuilt — new tables first, copied, then the old
-- ones dropped (children before parents, so no foreign key dangles) and the new ones renamed
-- (both databases carry a renamed table's foreign keys along).

CREATE TABLE functions_p (
    project       VARCHAR(64) NOT NULL,
    name          VARCHAR(64) NOT NULL,
    config        TEXT        NOT NULL,
    code_sha256   VARCHAR(64) NOT NULL REFERENCES code_packages (sha256),
    revision      VARCHAR(64) NOT NULL,
    last_version  BIGINT      NOT NULL,
    created_at    BIGINT      NOT NULL,
    updated_at    BIGINT      NOT NULL,
    PRIMARY KEY (project, name)
);
INSERT INTO functions_p (project, name, config, code_sha256, revision, last_version, created_at, updated_at)
    SELECT 'default', name, config, code_sha256, revision, last_version, created_at, updated_at FROM functions;

CREATE TABLE function_versions_p (
    project        VARCHAR(64) NOT NULL,
    function_name  VARCHAR(64) NOT NULL,
    version        BIGINT      NOT NULL,
    config         TEXT        NOT NULL,
    code_sha256    VARCHAR(64) NOT NULL REFERENCES code_packages (sha256),
    created_at     BIGINT      NOT NULL,
    PRIMARY KEY (project, function_name, version),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO function_versions_p (project, function_name, version, config, code_sha256, created_at)
    SELECT 'default', function_name, version, config, code_sha256, created_at FROM function_versions;

CREATE TABLE function_aliases_p (
    project             VARCHAR(64)  NOT NULL,
    function_name       VARCHAR(64)  NOT NULL,
    name                VARCHAR(128) NOT NULL,
    function_version    VARCHAR(20)  NOT NULL,
    additional_version  VARCHAR(20),
    additional_ppm      BIGINT       NOT NULL,
    description         TEXT         NOT NULL,
    revision            VARCHAR(64)  NOT NULL,
    created_at          BIGINT       NOT NULL,
    updated_at          BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, name),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO function_aliases_p (project, function_name, name, function_version, additional_version, additional_ppm,
        description, revision, created_at, updated_at)
    SELECT 'default', function_name, name, function_version, additional_version, additional_ppm, description,
        revision, created_at, updated_at FROM function_aliases;

-- The Lambda API's tables (V8) already carry the project; only their foreign keys change.
CREATE TABLE lambda_function_settings_p (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    version        VARCHAR(20)  NOT NULL,
    settings       TEXT         NOT NULL,
    revision       VARCHAR(64)  NOT NULL,
    PRIMARY KEY (project, function_name, version),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO lambda_function_settings_p SELECT project, function_name, version, settings, revision
    FROM lambda_function_settings;

CREATE TABLE lambda_tags_p (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    tag_key        VARCHAR(128) NOT NULL,
    tag_value      VARCHAR(256) NOT NULL,
    PRIMARY KEY (project, function_name, tag_key),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO lambda_tags_p SELECT project, function_name, tag_key, tag_value FROM lambda_tags;

CREATE TABLE lambda_policy_statements_p (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    qualifier      VARCHAR(128) NOT NULL,
    sid            VARCHAR(100) NOT NULL,
    statement      TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier, sid),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO lambda_policy_statements_p SELECT project, function_name, qualifier, sid, statement, created_at
    FROM lambda_policy_statements;

CREATE TABLE lambda_url_configs_p (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    qualifier      VARCHAR(128) NOT NULL,
    config         TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO lambda_url_configs_p SELECT project, function_name, qualifier, config, created_at, updated_at
    FROM lambda_url_configs;

CREATE TABLE lambda_provisioned_concurrency_p (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    qualifier      VARCHAR(128) NOT NULL,
    requested      INTEGER      NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, qualifier),
    FOREIGN KEY (project, function_name) REFERENCES functions_p (project, name) ON DELETE CASCADE
);
INSERT INTO lambda_provisioned_concurrency_p SELECT project, function_name, qualifier, requested, updated_at
    FROM lambda_provisioned_concurrency;

DROP TABLE lambda_provisioned_concurrency;
DROP TABLE lambda_url_configs;
DROP TABLE lambda_policy_statements;
DROP TABLE lambda_tags;
DROP TABLE lambda_function_settings;
DROP TABLE function_aliases;
DROP TABLE function_versions;
DROP TABLE functions;

ALTER TABLE functions_p RENAME TO functions;
ALTER TABLE function_versions_p RENAME TO function_versions;
ALTER TABLE function_aliases_p RENAME TO function_aliases;
ALTER TABLE lambda_function_settings_p RENAME TO lambda_function_settings;
ALTER TABLE lambda_tags_p RENAME TO lambda_tags;
ALTER TABLE lambda_policy_statements_p RENAME TO lambda_policy_statements;
ALTER TABLE lambda_url_configs_p RENAME TO lambda_url_configs;
ALTER TABLE lambda_provisioned_concurrency_p RENAME TO lambda_provisioned_concurrency;

-- Usage is counted per project; every record before projects was the default project's.
ALTER TABLE invocation_records ADD COLUMN project VARCHAR(64) NOT NULL DEFAULT 'default';
CREATE INDEX invocation_records_project_start ON invocation_records (project, start_ms);
