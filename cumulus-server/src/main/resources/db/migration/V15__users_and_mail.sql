-- End users and their mail (issue 15, docs/auth.md, ADR 0027). End users belong to a project
-- and are not the operators of IAM (iam_users). Portable between SQLite and PostgreSQL: BIGINT
-- epoch milliseconds, INTEGER 0/1 for flags, TEXT for JSON.

-- An end user. email is lower-cased (unique per project) and NULL for an anonymous user until
-- it is upgraded. password_hash is an Argon2id PHC string, NULL for an anonymous user.
-- token_generation: access tokens carry it (claim tgen); raising it refuses every older one
-- (disable, password change, "log out everywhere").
CREATE TABLE users (
    project             VARCHAR(63)   NOT NULL,
    user_id             VARCHAR(64)   NOT NULL,
    email               VARCHAR(254),
    email_verified      INTEGER       NOT NULL,
    password_hash       TEXT,
    disabled            INTEGER       NOT NULL,
    claims              TEXT          NOT NULL,
    created_at          BIGINT        NOT NULL,
    updated_at          BIGINT        NOT NULL,
    token_generation    INTEGER       NOT NULL,
    PRIMARY KEY (project, user_id)
);
CREATE UNIQUE INDEX users_email ON users (project, email);

-- Refresh tokens: only the SHA-256 of each is kept. A refresh rotates: the used token gets
-- used_at and a new one joins its family; a token presented again after use revokes the family.
CREATE TABLE user_refresh_tokens (
    token_sha256  VARCHAR(64)  NOT NULL PRIMARY KEY,
    project       VARCHAR(63)  NOT NULL,
    user_id       VARCHAR(64)  NOT NULL,
    family_id     VARCHAR(64)  NOT NULL,
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    used_at       BIGINT,
    revoked_at    BIGINT
);
CREATE INDEX user_refresh_tokens_family ON user_refresh_tokens (project, family_id);
CREATE INDEX user_refresh_tokens_user ON user_refresh_tokens (project, user_id);

-- One-time tokens mailed to a user: 'verify' (the email address, or a new one in new_email)
-- and 'reset' (the password). Only their SHA-256 is kept.
CREATE TABLE user_mail_tokens (
    token_sha256  VARCHAR(64)   NOT NULL PRIMARY KEY,
    project       VARCHAR(63)   NOT NULL,
    user_id       VARCHAR(64)   NOT NULL,
    purpose       VARCHAR(16)   NOT NULL,
    new_email     VARCHAR(254),
    created_at    BIGINT        NOT NULL,
    expires_at    BIGINT        NOT NULL,
    used_at       BIGINT
);
CREATE INDEX user_mail_tokens_user ON user_mail_tokens (project, user_id);

-- Each project's ES256 signing keys; the private JWK is sealed under the node's master key.
-- The newest key that is not retired signs; every key not retired is in the JWKS.
CREATE TABLE user_signing_keys (
    project      VARCHAR(63)  NOT NULL,
    key_id       VARCHAR(64)  NOT NULL,
    sealed_jwk   TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    retired_at   BIGINT,
    PRIMARY KEY (project, key_id)
);

-- A project's end-user settings (hooks): one JSON document.
CREATE TABLE user_settings (
    project     VARCHAR(63)  NOT NULL PRIMARY KEY,
    settings    TEXT         NOT NULL,
    updated_at  BIGINT       NOT NULL
);

-- A project's mail settings: its own relay (sealed: it may hold a password), sender, template
-- overrides, links and send limit, as one JSON document beside the sealed relay URL.
CREATE TABLE mail_settings (
    project      VARCHAR(63)  NOT NULL PRIMARY KEY,
    sealed_smtp  TEXT,
    settings     TEXT         NOT NULL,
    updated_at   BIGINT       NOT NULL
);

-- The mail outbox: every message is written here (in the transaction that caused it, where there
-- is one) and sent by the mail dispatcher; states and moves are mail.MailStateMachine's. The
-- body is sealed: it holds one-time links.
CREATE TABLE mail_outbox (
    mail_id          VARCHAR(64)   NOT NULL PRIMARY KEY,
    project          VARCHAR(63)   NOT NULL,
    template         VARCHAR(32)   NOT NULL,
    recipient        VARCHAR(254)  NOT NULL,
    subject          TEXT          NOT NULL,
    sealed_body      TEXT          NOT NULL,
    state            VARCHAR(16)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    next_attempt_at  BIGINT,
    last_error       TEXT,
    created_at       BIGINT        NOT NULL,
    updated_at       BIGINT        NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_project ON mail_outbox (project, created_at);
