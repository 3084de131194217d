-- +goose Up
-- The CPD portfolio: reflective entries, evidence files, sharing with view logs, and HCPC audit
-- packs with their exports. All of it belongs to the person (user_id) and is read only with the
-- owner's id in the WHERE clause or through an unrevoked share. Leaving or moving organisation
-- never touches these rows: nothing here refers to an organisation.

CREATE TABLE cpd_entries (
    id             {{ID}},
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('draft','saved')),
    title          TEXT NOT NULL DEFAULT '',
    -- Dates are UK calendar dates as YYYY-MM-DD; a one-day activity has ended_on = started_on.
    started_on     TEXT NOT NULL DEFAULT '',
    ended_on       TEXT NOT NULL DEFAULT '',
    activity_type  TEXT NOT NULL DEFAULT '',
    -- Hours are stored as whole minutes so totals add up exactly.
    minutes        INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    model          TEXT NOT NULL DEFAULT 'free',
    -- The reflective write-up: a JSON object of stage key to text, in the chosen model's stages.
    stages         TEXT NOT NULL DEFAULT '{}',
    -- Title and stages as plain text, for full-text search.
    body           TEXT NOT NULL DEFAULT '',
    goal_id        BIGINT REFERENCES goals(id) ON DELETE SET NULL,
    -- Autosaved changes to a saved entry, as JSON, kept apart until the person saves them (a
    -- saved entry only ever holds checked content). Empty when there are none.
    pending        TEXT NOT NULL DEFAULT '',
    created_at     {{TIMESTAMP}} NOT NULL,
    updated_at     {{TIMESTAMP}} NOT NULL
);
CREATE INDEX cpd_entries_user_date ON cpd_entries(user_id, status, started_on);

CREATE TABLE cpd_entry_tags (
    entry_id       BIGINT NOT NULL REFERENCES cpd_entries(id) ON DELETE CASCADE,
    framework_key  TEXT NOT NULL,
    element_key    TEXT NOT NULL,
    PRIMARY KEY (entry_id, framework_key, element_key)
);
CREATE INDEX cpd_entry_tags_element ON cpd_entry_tags(framework_key, element_key, entry_id);

-- sqlite:begin
-- Kept in step by package portfolio in the same transaction as each save (rowid = entry id).
CREATE VIRTUAL TABLE cpd_search USING fts5(title, body, tokenize = 'porter unicode61');
-- sqlite:end
-- postgres:begin
ALTER TABLE cpd_entries ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', title || ' ' || body)) STORED;
-- The person's id sits in the same GIN index as the words (btree_gin, a contrib extension that
-- ships with PostgreSQL and is trusted since version 13), so once many people share the table a
-- search reads only that person's matches rather than everyone's.
CREATE INDEX cpd_entries_search ON cpd_entries USING GIN (search);
-- postgres:end

-- Evidence files are kept in the database, so a backup of the database is a backup of the
-- portfolio and several app servers need no shared disk.
CREATE TABLE cpd_evidence (
    id            {{ID}},
    entry_id      BIGINT NOT NULL REFERENCES cpd_entries(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    data          {{BLOB}} NOT NULL,
    created_at    {{TIMESTAMP}} NOT NULL
);
CREATE INDEX cpd_evidence_entry ON cpd_evidence(entry_id);
CREATE INDEX cpd_evidence_user ON cpd_evidence(user_id);

-- A collection is a named, ordered set of the owner's entries, shared as one.
CREATE TABLE cpd_collections (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    created_at   {{TIMESTAMP}} NOT NULL
);
CREATE TABLE cpd_collection_entries (
    collection_id  BIGINT NOT NULL REFERENCES cpd_collections(id) ON DELETE CASCADE,
    entry_id       BIGINT NOT NULL REFERENCES cpd_entries(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    PRIMARY KEY (collection_id, entry_id)
);

-- A share is of one entry or one collection, with a named person (viewer_id) or by a link
-- (link_hash, the SHA-256 of a random token that is shown once), read-only.
CREATE TABLE cpd_shares (
    id             {{ID}},
    owner_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entry_id       BIGINT REFERENCES cpd_entries(id) ON DELETE CASCADE,
    collection_id  BIGINT REFERENCES cpd_collections(id) ON DELETE CASCADE,
    viewer_id      BIGINT REFERENCES users(id) ON DELETE CASCADE,
    link_hash      TEXT UNIQUE,
    expires_at     {{TIMESTAMP}},
    created_at     {{TIMESTAMP}} NOT NULL,
    revoked_at     {{TIMESTAMP}},
    CHECK ((entry_id IS NULL) <> (collection_id IS NULL)),
    CHECK ((viewer_id IS NULL) <> (link_hash IS NULL))
);
CREATE INDEX cpd_shares_owner ON cpd_shares(owner_id);
CREATE INDEX cpd_shares_viewer ON cpd_shares(viewer_id);

-- Every view through a share, for the owner's log.
CREATE TABLE cpd_share_views (
    id         {{ID}},
    share_id   BIGINT NOT NULL REFERENCES cpd_shares(id) ON DELETE CASCADE,
    viewer_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    entry_id   BIGINT,
    viewed_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX cpd_share_views_share ON cpd_share_views(share_id, viewed_at);

CREATE TABLE cpd_comments (
    id           {{ID}},
    share_id     BIGINT NOT NULL REFERENCES cpd_shares(id) ON DELETE CASCADE,
    entry_id     BIGINT NOT NULL REFERENCES cpd_entries(id) ON DELETE CASCADE,
    author_id    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    author_name  TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   {{TIMESTAMP}} NOT NULL
);
CREATE INDEX cpd_comments_entry ON cpd_comments(entry_id, created_at);

-- One HCPC audit pack per person and renewal cycle.
CREATE TABLE audit_packs (
    id            {{ID}},
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    profession    TEXT NOT NULL,
    cycle_start   TEXT NOT NULL,
    cycle_end     TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    -- JSON: the statement by standard, the picked entry ids, and explanations of gaps by start date.
    statement     TEXT NOT NULL DEFAULT '{}',
    selected      TEXT NOT NULL DEFAULT '[]',
    gap_notes     TEXT NOT NULL DEFAULT '{}',
    created_at    {{TIMESTAMP}} NOT NULL,
    updated_at    {{TIMESTAMP}} NOT NULL,
    UNIQUE (user_id, cycle_start, cycle_end)
);

-- An export of a pack, built by a background job; its files are downloadable by the owner only.
CREATE TABLE audit_pack_exports (
    id           {{ID}},
    pack_id      BIGINT NOT NULL REFERENCES audit_packs(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('queued','running','done','failed')),
    done_steps   INTEGER NOT NULL DEFAULT 0,
    total_steps  INTEGER NOT NULL DEFAULT 1,
    message      TEXT NOT NULL DEFAULT '',
    created_at   {{TIMESTAMP}} NOT NULL,
    finished_at  {{TIMESTAMP}}
);
CREATE INDEX audit_pack_exports_user ON audit_pack_exports(user_id, created_at);

CREATE TABLE audit_pack_files (
    id            {{ID}},
    export_id     BIGINT NOT NULL REFERENCES audit_pack_exports(id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    label         TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          {{BLOB}} NOT NULL
);
CREATE INDEX audit_pack_files_export ON audit_pack_files(export_id, position);

-- A form posted after the session ended, kept so the text is not lost. It is given back only to
-- the person the form was for, after they sign in again, and only once.
CREATE TABLE kept_forms (
    id          {{ID}},
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    form        TEXT NOT NULL,
    created_at  {{TIMESTAMP}} NOT NULL
);

-- +goose Down
DROP TABLE kept_forms;
DROP TABLE audit_pack_files;
DROP TABLE audit_pack_exports;
DROP TABLE audit_packs;
DROP TABLE cpd_comments;
DROP TABLE cpd_share_views;
DROP TABLE cpd_shares;
DROP TABLE cpd_collection_entries;
DROP TABLE cpd_collections;
DROP TABLE cpd_evidence;
-- sqlite:begin
DROP TABLE cpd_search;
-- sqlite:end
DROP TABLE cpd_entry_tags;
DROP TABLE cpd_entries;
