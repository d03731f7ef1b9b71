-- Topics (ADR 0015): project-scoped publish/subscribe. Portable between SQLite and PostgreSQL:
-- BIGINT epoch milliseconds for times. A subscription's filter is three optional columns.
CREATE TABLE topics (
    project      VARCHAR(64)  NOT NULL,
    name         VARCHAR(128) NOT NULL,
    created_at   BIGINT       NOT NULL,
    PRIMARY KEY (project, name)
);

CREATE TABLE topic_subscriptions (
    id                    VARCHAR(64)  NOT NULL PRIMARY KEY,
    project               VARCHAR(64)  NOT NULL,
    topic                 VARCHAR(128) NOT NULL,
    -- name or name:qualifier
    function_ref          VARCHAR(200) NOT NULL,
    filter_type           TEXT,
    filter_source         TEXT,
    filter_subject_prefix TEXT,
    payload_format        VARCHAR(16)  NOT NULL,
    created_at            BIGINT       NOT NULL
);

CREATE INDEX topic_subscriptions_by_topic ON topic_subscriptions (project, topic);
