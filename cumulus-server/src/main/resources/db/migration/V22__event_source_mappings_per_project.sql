-- Event source mappings per project (issue 11): names are unique per project, and a mapping
-- invokes functions of its own project. Mappings made before projects existed were all the
-- default project's. Rebuilt rather than altered: SQLite cannot change a primary key in place.
CREATE TABLE event_source_mappings_p (
    project      VARCHAR(64) NOT NULL,
    name         VARCHAR(64) NOT NULL,
    source_type  VARCHAR(16) NOT NULL,
    config       TEXT        NOT NULL,
    enabled      BOOLEAN     NOT NULL,
    created_at   BIGINT      NOT NULL,
    updated_at   BIGINT      NOT NULL,
    PRIMARY KEY (project, name)
);

INSERT INTO event_source_mappings_p (project, name, source_type, config, enabled, created_at, updated_at)
SELECT 'default', name, source_type, config, enabled, created_at, updated_at FROM event_source_mappings;

DROP TABLE event_source_mappings;

ALTER TABLE event_source_mappings_p RENAME TO event_source_mappings;
