-- IAM (issue 11, docs/iam.md). Portable between SQLite and PostgreSQL: BIGINT epoch
-- milliseconds, TEXT for JSON. Policies are inline documents: each principal's column holds a
-- JSON array of policy documents.

-- Projects: the tenant boundary. 'default' exists from the start (what every table's project
-- column held until now).
CREATE TABLE iam_projects (
    project      VARCHAR(63)  NOT NULL PRIMARY KEY,
    description  TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL
);
INSERT INTO iam_projects (project, description, created_at) VALUES ('default', 'the project every node starts with', 0);

-- Project API keys (bearer tokens 'ck_...'): only the SHA-256 of the token is kept; a revoked
-- key stays listed (with revoked_at) so audit lines keep naming something.
CREATE TABLE iam_api_keys (
    key_id        VARCHAR(40)  NOT NULL PRIMARY KEY,
    project       VARCHAR(63)  NOT NULL REFERENCES iam_projects (project),
    token_sha256  VARCHAR(64)  NOT NULL UNIQUE,
    description   TEXT         NOT NULL,
    policies      TEXT         NOT NULL,
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX iam_api_keys_project ON iam_api_keys (project, created_at);

-- Admin users of a project: an Argon2id hash (PHC string), never the password.
CREATE TABLE iam_users (
    project        VARCHAR(63)  NOT NULL REFERENCES iam_projects (project),
    name           VARCHAR(64)  NOT NULL,
    password_hash  TEXT         NOT NULL,
    policies       TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, name)
);

-- Login sessions: the SHA-256 of a short-lived bearer token.
CREATE TABLE iam_sessions (
    token_sha256  VARCHAR(64)  NOT NULL PRIMARY KEY,
    project       VARCHAR(63)  NOT NULL,
    user_name     VARCHAR(64)  NOT NULL,
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    FOREIGN KEY (project, user_name) REFERENCES iam_users (project, name) ON DELETE CASCADE
);

-- Roles: what a function's execution token may do, by name within a project.
CREATE TABLE iam_roles (
    project      VARCHAR(63)  NOT NULL REFERENCES iam_projects (project),
    name         VARCHAR(64)  NOT NULL,
    description  TEXT         NOT NULL,
    policies     TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    PRIMARY KEY (project, name)
);

-- The audit log: append-only (nothing in the node updates or deletes a row). project is NULL
-- for what concerns no one project (the root principal acting on the node).
CREATE TABLE iam_audit (
    id         VARCHAR(40)   NOT NULL PRIMARY KEY,
    project    VARCHAR(63),
    at         BIGINT        NOT NULL,
    principal  VARCHAR(200)  NOT NULL,
    action     VARCHAR(100)  NOT NULL,
    resource   TEXT          NOT NULL,
    outcome    VARCHAR(5)    NOT NULL,
    source     VARCHAR(64),
    detail     TEXT          NOT NULL
);
CREATE INDEX iam_audit_project_at ON iam_audit (project, at);
CREATE INDEX iam_audit_at ON iam_audit (at);

-- Access keys belong to a project and carry policies; the keys that existed before become
-- admins of 'default', which is what they could do until now.
ALTER TABLE access_keys ADD COLUMN project VARCHAR(63) NOT NULL DEFAULT 'default';
ALTER TABLE access_keys ADD COLUMN policies TEXT NOT NULL DEFAULT '[]';
ALTER TABLE access_keys ADD COLUMN expires_at BIGINT;
UPDATE access_keys SET policies =
    '[{"Version":"2026-12-01","Statement":[{"Sid":"ProjectAdmin","Effect":"Allow","Action":"*","Resource":"crn:cumulus:*:default:*"}]}]';

