-- End users' login through a project's OpenID Connect providers (issue 15, docs/auth.md, ADR 0032).
-- Portable between SQLite and PostgreSQL: BIGINT epoch milliseconds, TEXT for JSON.

-- A provider a project's users may log in with. The client secret is sealed under the node's
-- master key; redirect_uris (a JSON list) are the app addresses a login may return to.
CREATE TABLE user_oidc_providers (
    project               VARCHAR(63)   NOT NULL,
    name                  VARCHAR(32)   NOT NULL,
    issuer                VARCHAR(512)  NOT NULL,
    client_id             VARCHAR(256)  NOT NULL,
    sealed_client_secret  TEXT          NOT NULL,
    redirect_uris         TEXT          NOT NULL,
    created_at            BIGINT        NOT NULL,
    updated_at            BIGINT        NOT NULL,
    PRIMARY KEY (project, name)
);

-- One login in flight, found by the SHA-256 of its state. sealed_secrets holds the PKCE verifier
-- and the nonce sent to the provider; binding_sha256 the browser cookie that started it (CSRF);
-- app_challenge the app's own PKCE challenge for the one-time result code. After the callback,
-- user_id and result_sha256 are set; the app redeems the result code once.
CREATE TABLE user_oidc_logins (
    state_sha256    VARCHAR(64)   NOT NULL PRIMARY KEY,
    project         VARCHAR(63)   NOT NULL,
    provider        VARCHAR(32)   NOT NULL,
    sealed_secrets  TEXT          NOT NULL,
    binding_sha256  VARCHAR(64)   NOT NULL,
    callback_uri    VARCHAR(1024) NOT NULL,
    app_redirect    VARCHAR(1024) NOT NULL,
    app_challenge   VARCHAR(128)  NOT NULL,
    created_at      BIGINT        NOT NULL,
    expires_at      BIGINT        NOT NULL,
    used_at         BIGINT,
    user_id         VARCHAR(64),
    result_sha256   VARCHAR(64),
    result_used_at  BIGINT
);
CREATE UNIQUE INDEX user_oidc_logins_result ON user_oidc_logins (result_sha256);
CREATE INDEX user_oidc_logins_expiry ON user_oidc_logins (expires_at);

-- Which user a provider's subject is, per project: a first login creates or links the user.
CREATE TABLE user_identities (
    project     VARCHAR(63)   NOT NULL,
    provider    VARCHAR(32)   NOT NULL,
    subject     VARCHAR(255)  NOT NULL,
    user_id     VARCHAR(64)   NOT NULL,
    created_at  BIGINT        NOT NULL,
    PRIMARY KEY (project, provider, subject)
);
CREATE INDEX user_identities_user ON user_identities (project, user_id);
