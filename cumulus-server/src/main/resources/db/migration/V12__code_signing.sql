-- Code signing policies (issue 11, part 9; ADR 0025): per project, whether deploys need a
-- signature and which public keys (PEM, a JSON array) may make it.
CREATE TABLE code_signing_policies (
    project       VARCHAR(64) NOT NULL PRIMARY KEY,
    required      SMALLINT    NOT NULL,
    trusted_keys  TEXT        NOT NULL,
    updated_at    BIGINT      NOT NULL
);
