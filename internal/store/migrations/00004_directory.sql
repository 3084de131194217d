-- +goose Up
-- The directory (issue 5): programmes, courses, postgraduate courses, resources to read and the
-- organisations and schemes behind them, in one table so one search covers them all. Built-in
-- rows have a key (directory.Builtin(), loaded on start); suggested and imported rows have none.
-- Only 'published' rows are ever listed; 'pending' ones wait in the moderators' queue.

CREATE TABLE directory_items (
    id              {{ID}},
    key             TEXT UNIQUE,
    -- kind is the catalogue's own (programme, course, article, register, ...); grp is which of
    -- the three lists it belongs to, so "courses" filters without listing every kind.
    kind            TEXT NOT NULL,
    grp             TEXT NOT NULL CHECK (grp IN ('courses','resources','organisations')),
    provider        TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    format          TEXT NOT NULL DEFAULT '',
    length          TEXT NOT NULL DEFAULT '',
    hours           INTEGER NOT NULL DEFAULT 0,
    -- Money in whole pence; NULL when the price is not known (or the item is free).
    cost_pence      BIGINT CHECK (cost_pence IS NULL OR cost_pence >= 0),
    free            {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    cost_note       TEXT NOT NULL DEFAULT '',
    eligibility     TEXT NOT NULL DEFAULT '',
    -- Career levels as ",5,6,7," so one level filters with LIKE '%,6,%'.
    levels          TEXT NOT NULL DEFAULT '',
    award           TEXT NOT NULL DEFAULT '',
    location        TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    authors         TEXT NOT NULL DEFAULT '',  -- one per line, "Family, Given"
    year            INTEGER NOT NULL DEFAULT 0,
    journal         TEXT NOT NULL DEFAULT '',
    volume          TEXT NOT NULL DEFAULT '',
    issue           TEXT NOT NULL DEFAULT '',
    pages           TEXT NOT NULL DEFAULT '',
    publisher       TEXT NOT NULL DEFAULT '',
    doi             TEXT NOT NULL DEFAULT '',
    annotation      TEXT NOT NULL DEFAULT '',
    -- citation.Identity: the DOI, else the normalised URL; '' when neither. Duplicates are
    -- flagged by comparing it, not refused: a moderator decides.
    identity        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published','pending','declined')),
    suggested_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decline_reason  TEXT NOT NULL DEFAULT '',
    moderated_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      {{TIMESTAMP}} NOT NULL,
    updated_at      {{TIMESTAMP}} NOT NULL
);
CREATE INDEX directory_items_status_title ON directory_items(status, title);
CREATE INDEX directory_items_status_grp ON directory_items(status, grp, title);
CREATE INDEX directory_items_format ON directory_items(status, format);
CREATE INDEX directory_items_provider ON directory_items(status, provider);
CREATE INDEX directory_items_identity ON directory_items(identity);

CREATE TABLE directory_item_elements (
    item_id        BIGINT NOT NULL REFERENCES directory_items(id) ON DELETE CASCADE,
    framework_key  TEXT NOT NULL,
    element_key    TEXT NOT NULL,
    PRIMARY KEY (item_id, framework_key, element_key)
);
CREATE INDEX directory_item_elements_element ON directory_item_elements(framework_key, element_key, item_id);

-- sqlite:begin
-- Kept in step by package directory in the same transaction as each change (rowid = item id).
CREATE VIRTUAL TABLE directory_search USING fts5(title, body, tokenize = 'porter unicode61');
-- sqlite:end
-- postgres:begin
ALTER TABLE directory_items ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english',
    title || ' ' || provider || ' ' || summary || ' ' || annotation || ' ' || authors || ' ' || journal || ' ' || award)) STORED;
CREATE INDEX directory_items_search ON directory_items USING GIN (search);
-- postgres:end

-- +goose Down
-- sqlite:begin
DROP TABLE directory_search;
-- sqlite:end
DROP TABLE directory_item_elements;
DROP TABLE directory_items;
