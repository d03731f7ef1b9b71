-- Per-function secrets (issue 11): values sealed with AES-256-GCM under the node's key file,
-- outside the Store (the access keys' SecretBox, docs/adr/0011), bound by the associated data to
-- their project, function and name. GETs show names and times only. Rows go with their function.
CREATE TABLE function_secrets (
    project        VARCHAR(64)  NOT NULL,
    function_name  VARCHAR(64)  NOT NULL,
    name           VARCHAR(128) NOT NULL,
    value_sealed   TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    PRIMARY KEY (project, function_name, name),
    FOREIGN KEY (project, function_name) REFERENCES functions (project, name) ON DELETE CASCADE
);
