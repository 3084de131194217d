-- +goose Up
-- My leadership: self-assessments, 360 feedback, career-level targets and development plans.
-- Everything here is personal: every query that reads it filters by its owner or by a share.

-- Teams within an organisation, for aggregate views (heat maps) that never show individuals.
-- Teams have integer ids because aggregates group on them: grouping 100,000 ratings on integers
-- takes half the time of grouping on text in SQLite.
CREATE TABLE teams (
    id      {{ID}},
    org_id  BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    UNIQUE (org_id, name)
);
ALTER TABLE memberships ADD COLUMN team_id BIGINT;
CREATE INDEX memberships_team ON memberships(org_id, team_id, user_id);

CREATE TABLE assessments (
    id                    {{ID}},
    user_id               BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    framework_key         TEXT NOT NULL,
    framework_version_id  BIGINT NOT NULL REFERENCES framework_versions(id),
    status                TEXT NOT NULL CHECK (status IN ('draft','submitted')),
    -- The newest submitted assessment per person and framework; kept so aggregate views need no
    -- "latest per person" subquery over the whole history.
    is_latest             {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    created_at            {{TIMESTAMP}} NOT NULL,
    updated_at            {{TIMESTAMP}} NOT NULL,
    submitted_at          {{TIMESTAMP}}
);
CREATE INDEX assessments_user ON assessments(user_id, framework_key, status);
CREATE INDEX assessments_latest ON assessments(framework_key, is_latest, user_id);

CREATE TABLE assessment_ratings (
    assessment_id  BIGINT NOT NULL REFERENCES assessments(id) ON DELETE CASCADE,
    element_key    TEXT NOT NULL,
    -- The element's place among its framework version's rateable elements, for fast grouping.
    element_pos    INTEGER NOT NULL,
    rating         INTEGER,
    importance     INTEGER,
    evidence       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, element_key)
);
-- Covers the heat map's scan, so it never visits the table itself.
CREATE INDEX assessment_ratings_cover ON assessment_ratings(assessment_id, element_pos, rating);

-- Running totals behind the heat map: for each organisation, team (0 = none), framework version
-- and element, the sum and count of members' latest ratings. Kept up to date in the same
-- transaction as every change that affects them (package rollup), so the heat map of a trust
-- of thousands reads about a thousand rows instead of aggregating every rating.
CREATE TABLE heat_totals (
    org_id         BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    team_id        BIGINT NOT NULL,
    framework_key  TEXT NOT NULL,
    version_id     BIGINT NOT NULL,
    element_pos    INTEGER NOT NULL,
    total          BIGINT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (org_id, framework_key, team_id, version_id, element_pos)
);

-- What a lead sees is heat_totals as published, not as live: a team's figures are published only
-- once at least 5 different people in it have changed since the last publication (people listed
-- in heat_pending). Live figures could be compared before and after one colleague submitted.
CREATE TABLE heat_published (
    org_id         BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    team_id        BIGINT NOT NULL,
    framework_key  TEXT NOT NULL,
    version_id     BIGINT NOT NULL,
    element_pos    INTEGER NOT NULL,
    total          BIGINT NOT NULL,
    n              BIGINT NOT NULL,
    published_at   {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (org_id, framework_key, team_id, version_id, element_pos)
);
CREATE TABLE heat_pending (
    org_id         BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    team_id        BIGINT NOT NULL,
    framework_key  TEXT NOT NULL,
    user_id        BIGINT NOT NULL,
    PRIMARY KEY (org_id, framework_key, team_id, user_id)
);

-- A 360 round asks others to rate the person on the elements of a submitted self-assessment.
CREATE TABLE feedback_rounds (
    id             {{ID}},
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assessment_id  BIGINT NOT NULL REFERENCES assessments(id),
    title          TEXT NOT NULL,
    deadline       {{TIMESTAMP}} NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open','closed')),
    created_at     {{TIMESTAMP}} NOT NULL,
    closed_at      {{TIMESTAMP}}
);
CREATE INDEX feedback_rounds_user ON feedback_rounds(user_id);

-- Raters answer through a personal link; only a SHA-256 of its token is stored. Their names and
-- emails are used to send the link and are never shown to the person, except a line manager's.
CREATE TABLE feedback_raters (
    id            {{ID}},
    round_id      BIGINT NOT NULL REFERENCES feedback_rounds(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    relationship  TEXT NOT NULL CHECK (relationship IN ('line-manager','peer','direct-report','mdt','other')),
    invited_at    {{TIMESTAMP}} NOT NULL,
    reminded_at   {{TIMESTAMP}},
    responded_at  {{TIMESTAMP}},
    UNIQUE (round_id, email)
);

-- A rater's personal links. Only a SHA-256 of each token is kept, so a reminder cannot resend the
-- first link: it sends a new one, and every link a rater was sent works until the deadline.
-- One line manager per round, however many invitations arrive at once.
CREATE UNIQUE INDEX feedback_raters_one_line_manager ON feedback_raters(round_id) WHERE relationship = 'line-manager';

CREATE TABLE feedback_links (
    token_hash  TEXT PRIMARY KEY,
    rater_id    BIGINT NOT NULL REFERENCES feedback_raters(id) ON DELETE CASCADE,
    created_at  {{TIMESTAMP}} NOT NULL
);

CREATE TABLE feedback_ratings (
    rater_id     BIGINT NOT NULL REFERENCES feedback_raters(id) ON DELETE CASCADE,
    element_key  TEXT NOT NULL,
    rating       INTEGER NOT NULL,
    PRIMARY KEY (rater_id, element_key)
);

CREATE TABLE feedback_comments (
    round_id  BIGINT NOT NULL REFERENCES feedback_rounds(id) ON DELETE CASCADE,
    -- No rater id and no sequential id: the key is random, so neither the order of rows nor an
    -- id can be matched against when raters answered.
    sort_key  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('strength','development')),
    body      TEXT NOT NULL,
    PRIMARY KEY (round_id, sort_key)
);

-- What each career level typically looks like on each element. Defaults ship as data; a site
-- administrator may edit them.
CREATE TABLE level_targets (
    framework_key  TEXT NOT NULL,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
    element_key    TEXT NOT NULL,
    target         INTEGER NOT NULL,
    updated_by     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at     {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (framework_key, level, element_key)
);

CREATE TABLE goals (
    id            {{ID}},
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    specific      TEXT NOT NULL,
    measurable    TEXT NOT NULL DEFAULT '',
    achievable    TEXT NOT NULL DEFAULT '',
    relevant      TEXT NOT NULL DEFAULT '',
    due_on        TEXT NOT NULL,          -- a calendar date, YYYY-MM-DD
    review_on     TEXT NOT NULL DEFAULT '',
    reviewed_reminder_for TEXT NOT NULL DEFAULT '', -- the review date a reminder was last sent for
    status        TEXT NOT NULL CHECK (status IN ('active','achieved','dropped')),
    created_at    {{TIMESTAMP}} NOT NULL,
    updated_at    {{TIMESTAMP}} NOT NULL
);
CREATE INDEX goals_user ON goals(user_id, status);
CREATE INDEX goals_review ON goals(review_on);

CREATE TABLE goal_elements (
    goal_id        BIGINT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    framework_key  TEXT NOT NULL,
    element_key    TEXT NOT NULL,
    PRIMARY KEY (goal_id, framework_key, element_key)
);

CREATE TABLE goal_actions (
    id          {{ID}},
    goal_id     BIGINT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    pathway     TEXT NOT NULL CHECK (pathway IN ('clinical-excellence','progressive-responsibility','formal-development','mentoring','coaching','reflection','professional-engagement')),
    status      TEXT NOT NULL CHECK (status IN ('not-started','in-progress','done')),
    due_on      TEXT NOT NULL DEFAULT '',
    created_at  {{TIMESTAMP}} NOT NULL,
    updated_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX goal_actions_goal ON goal_actions(goal_id);

-- A plan shared, read-only with comments, with one named person. Revoking keeps the row.
CREATE TABLE plan_shares (
    id          {{ID}},
    owner_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    viewer_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  {{TIMESTAMP}} NOT NULL,
    revoked_at  {{TIMESTAMP}}
);
CREATE INDEX plan_shares_viewer ON plan_shares(viewer_id, revoked_at);
CREATE INDEX plan_shares_owner ON plan_shares(owner_id);

CREATE TABLE plan_comments (
    id          {{ID}},
    owner_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    author_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    goal_id     BIGINT REFERENCES goals(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    created_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX plan_comments_owner ON plan_comments(owner_id, created_at);

-- +goose Down
DROP TABLE plan_comments;
DROP TABLE plan_shares;
DROP TABLE goal_actions;
DROP TABLE goal_elements;
DROP TABLE goals;
DROP TABLE level_targets;
DROP TABLE heat_pending;
DROP TABLE heat_published;
DROP TABLE heat_totals;
DROP TABLE feedback_comments;
DROP TABLE feedback_ratings;
DROP TABLE feedback_links;
DROP TABLE feedback_raters;
DROP TABLE feedback_rounds;
DROP TABLE assessment_ratings;
DROP TABLE assessments;
DROP INDEX memberships_team;
ALTER TABLE memberships DROP COLUMN team_id;
DROP TABLE teams;
