-- Object storage (issue 14, docs/storage.md, ADR 0026). Only metadata lives here; the bytes are
-- in the BlobStore (files under the data dir), named by the blob column. Portable between SQLite
-- and PostgreSQL: BIGINT epoch milliseconds, TEXT for JSON. Object keys are compared and ordered
-- byte-wise (PostgreSQL queries add COLLATE "C"), as S3 lists them.

CREATE TABLE storage_buckets (
    project        VARCHAR(63)   NOT NULL,
    name           VARCHAR(63)   NOT NULL,
    created_at     BIGINT        NOT NULL,
    -- the bucket's CORS rules as a JSON array, or NULL for none
    cors           TEXT,
    PRIMARY KEY (project, name)
);

CREATE TABLE storage_objects (
    project        VARCHAR(63)   NOT NULL,
    bucket         VARCHAR(63)   NOT NULL,
    object_key     VARCHAR(1024) NOT NULL,
    size           BIGINT        NOT NULL,
    etag           VARCHAR(80)   NOT NULL,
    content_type   VARCHAR(255)  NOT NULL,
    -- x-amz-meta-* as a JSON object
    user_metadata  TEXT          NOT NULL,
    created_at     BIGINT        NOT NULL,
    blob           VARCHAR(64)   NOT NULL,
    PRIMARY KEY (project, bucket, object_key)
);

CREATE TABLE storage_uploads (
    project        VARCHAR(63)   NOT NULL,
    bucket         VARCHAR(63)   NOT NULL,
    upload_id      VARCHAR(64)   NOT NULL,
    object_key     VARCHAR(1024) NOT NULL,
    content_type   VARCHAR(255)  NOT NULL,
    user_metadata  TEXT          NOT NULL,
    created_at     BIGINT        NOT NULL,
    PRIMARY KEY (project, upload_id)
);
CREATE INDEX storage_uploads_bucket ON storage_uploads (project, bucket);

CREATE TABLE storage_parts (
    project        VARCHAR(63)   NOT NULL,
    upload_id      VARCHAR(64)   NOT NULL,
    part_number    INTEGER       NOT NULL,
    size           BIGINT        NOT NULL,
    etag           VARCHAR(80)   NOT NULL,
    blob           VARCHAR(64)   NOT NULL,
    created_at     BIGINT        NOT NULL,
    PRIMARY KEY (project, upload_id, part_number)
);

-- Notification configuration: each LambdaFunctionConfiguration is one trigger. events is a
-- comma-separated list of S3 event patterns (s3:ObjectCreated:*, s3:ObjectRemoved:Delete, ...).
CREATE TABLE storage_triggers (
    project        VARCHAR(63)   NOT NULL,
    bucket         VARCHAR(63)   NOT NULL,
    trigger_id     VARCHAR(255)  NOT NULL,
    function_ref   VARCHAR(255)  NOT NULL,
    events         TEXT          NOT NULL,
    prefix         VARCHAR(1024) NOT NULL,
    suffix         VARCHAR(1024) NOT NULL,
    created_at     BIGINT        NOT NULL,
    PRIMARY KEY (project, bucket, trigger_id)
);
