-- +goose Up
-- Career stories (issue 5, seed 004): a practitioner's own account of their path, in a fixed set
-- of questions, so stories at one level can be read side by side. A story is written by a
-- signed-in person (author_id) and waits for a moderator; demo stories have a key instead of an
-- author and are loaded published. Only 'published' stories are ever listed for others.

CREATE TABLE career_stories (
    id              {{ID}},
    -- Demo stories only: what the demo loader finds them by, so loading twice adds nothing.
    key             TEXT UNIQUE,
    author_id       BIGINT REFERENCES users(id) ON DELETE CASCADE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    level           INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
    setting         TEXT NOT NULL CHECK (setting IN ('nhs','social-care','independent','education')),
    path            TEXT NOT NULL,
    barriers        TEXT NOT NULL,
    enablers        TEXT NOT NULL,
    five_years      TEXT NOT NULL,
    advice          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending','published','declined')),
    -- Counts the author's edits: a moderator publishes or declines the revision they read, so
    -- an edit made while they were reading is never published unseen.
    revision        INTEGER NOT NULL DEFAULT 1,
    decline_reason  TEXT NOT NULL DEFAULT '',
    moderated_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    moderated_at    {{TIMESTAMP}},
    published_at    {{TIMESTAMP}},
    created_at      {{TIMESTAMP}} NOT NULL,
    updated_at      {{TIMESTAMP}} NOT NULL
);
-- Browsing: published stories newest first, by level or by setting (id breaks ties).
CREATE INDEX career_stories_newest ON career_stories(status, published_at, id);
CREATE INDEX career_stories_level ON career_stories(status, level, published_at, id);
CREATE INDEX career_stories_setting ON career_stories(status, setting, published_at, id);
CREATE INDEX career_stories_author ON career_stories(author_id);

-- At most one attachment a story, kept apart so listing stories never reads file bytes.
CREATE TABLE career_story_attachments (
    story_id      BIGINT PRIMARY KEY REFERENCES career_stories(id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          {{BLOB}} NOT NULL,
    created_at    {{TIMESTAMP}} NOT NULL
);

-- sqlite:begin
-- Kept in step by package stories in the same transaction as each change (rowid = story id).
CREATE VIRTUAL TABLE career_story_search USING fts5(title, body, tokenize = 'porter unicode61');
-- sqlite:end
-- postgres:begin
ALTER TABLE career_stories ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english',
    role || ' ' || path || ' ' || barriers || ' ' || enablers || ' ' || five_years || ' ' || advice)) STORED;
CREATE INDEX career_stories_search ON career_stories USING GIN (search);
-- postgres:end

-- +goose Down
-- sqlite:begin
DROP TABLE career_story_search;
-- sqlite:end
DROP TABLE career_story_attachments;
DROP TABLE career_stories;
