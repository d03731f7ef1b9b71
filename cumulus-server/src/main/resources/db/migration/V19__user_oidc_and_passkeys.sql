-- End users' login through a project's OpenID Connect providers and with passkeys (issue 15, docs/auth.md, ADR 0032).
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

-- End users' passkeys (WebAuthn): the credential's attested data (its id and public key, as
-- webauthn4j encodes it) and the authenticator's signature counter.
CREATE TABLE user_passkeys (
    project          VARCHAR(63)    NOT NULL,
    credential_id    VARCHAR(1400)  NOT NULL,
    user_id          VARCHAR(64)    NOT NULL,
    attested_data    TEXT           NOT NULL,
    sign_count       BIGINT         NOT NULL,
    backup_eligible  INTEGER        NOT NULL,
    backup_state     INTEGER        NOT NULL,
    created_at       BIGINT         NOT NULL,
    last_used_at     BIGINT,
    PRIMARY KEY (project, credential_id)
);
CREATE INDEX user_passkeys_user ON user_passkeys (project, user_id);

-- A passkey ceremony's challenge, found by its SHA-256: 'register' (for user_id) or 'login'
-- (anyone's passkey), valid once until expires_at.
CREATE TABLE user_passkey_challenges (
    challenge_sha256  VARCHAR(64)  NOT NULL PRIMARY KEY,
    project           VARCHAR(63)  NOT NULL,
    purpose           VARCHAR(16)  NOT NULL,
    user_id           VARCHAR(64),
    created_at        BIGINT       NOT NULL,
    expires_at        BIGINT       NOT NULL,
    used_at           BIGINT
);
CREATE INDEX user_passkey_challenges_expiry ON user_passkey_challenges (expires_at);
