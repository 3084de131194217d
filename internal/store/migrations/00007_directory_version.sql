-- +goose Up
-- A change counter for the published directory: package directory bumps it in the same
-- transaction as every write that can change what is listed, so each app server can keep the
-- few columns recommendations score in memory and know, with one single-row read, when they
-- are stale. A counter rather than MAX(updated_at): built-in rows are upserted on start without
-- touching updated_at, and a counter needs no scan.
CREATE TABLE directory_version (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    n   BIGINT NOT NULL
);
INSERT INTO directory_version (id, n) VALUES (1, 0);

-- +goose Down
DROP TABLE directory_version;
