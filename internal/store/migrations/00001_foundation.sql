-- +goose Up
-- The foundation: organisations, people and their roles, sign-in, and frameworks as data.
-- Written once for both engines; {{TOKENS}} are expanded per dialect (see store/migrate.go).
-- Times are UTC.

CREATE TABLE organisations (
    id          {{ID}},
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('nhs-trust','university','local-authority','charity-funder','professional-body','independent-practice')),
    region      TEXT NOT NULL DEFAULT '',
    created_at  {{TIMESTAMP}} NOT NULL
);

CREATE TABLE users (
    id                  {{ID}},
    email               TEXT NOT NULL UNIQUE, -- stored lower-case
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,        -- argon2id, PHC string format
    -- Bumped whenever the password changes; a session made before the change stops working.
    password_changed_at {{TIMESTAMP}} NOT NULL,
    career_level        INTEGER CHECK (career_level BETWEEN 1 AND 9),
    job_title           TEXT NOT NULL DEFAULT '',
    created_at          {{TIMESTAMP}} NOT NULL,
    disabled_at         {{TIMESTAMP}}
);

CREATE TABLE memberships (
    id          {{ID}},
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('learner','practitioner','supervisor','mentor','programme-lead','funder-reviewer','funder-admin','workforce-lead','site-admin')),
    created_at  {{TIMESTAMP}} NOT NULL,
    UNIQUE (user_id, org_id, role)
);
CREATE INDEX memberships_org ON memberships(org_id, role);

-- Server-side sessions (alexedwards/scs). The cookie holds only the random token.
CREATE TABLE sessions (
    token   TEXT PRIMARY KEY,
    data    {{BLOB}} NOT NULL,
    expiry  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

-- Failed sign-ins, for rate limiting by account and by address. Old rows are pruned.
CREATE TABLE signin_failures (
    id         {{ID}},
    email      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    failed_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX signin_failures_email ON signin_failures(email, failed_at);
CREATE INDEX signin_failures_ip ON signin_failures(ip, failed_at);

-- Password reset links. Only a SHA-256 of the token is stored; a link works once, until expiry.
CREATE TABLE password_resets (
    id          {{ID}},
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  {{TIMESTAMP}} NOT NULL,
    expires_at  {{TIMESTAMP}} NOT NULL,
    used_at     {{TIMESTAMP}}
);

-- Personal API tokens. Only a SHA-256 of the secret is stored; the prefix helps people tell
-- their tokens apart.
CREATE TABLE api_tokens (
    id            {{ID}},
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    {{TIMESTAMP}} NOT NULL,
    expires_at    {{TIMESTAMP}},
    last_used_at  {{TIMESTAMP}},
    revoked_at    {{TIMESTAMP}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Frameworks are versioned data. A version's document is the YAML it was imported from; its
-- elements are copied into framework_elements so later areas can refer to them with foreign keys.
CREATE TABLE frameworks (
    id          {{ID}},
    key         TEXT NOT NULL UNIQUE,
    current_version_id BIGINT,
    created_at  {{TIMESTAMP}} NOT NULL
);

CREATE TABLE framework_versions (
    id            {{ID}},
    framework_id  BIGINT NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
    version       TEXT NOT NULL,
    title         TEXT NOT NULL,
    document      TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    builtin       {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    imported_by   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    imported_at   {{TIMESTAMP}} NOT NULL,
    -- Set the first time saved data refers to this version; from then on it can never change.
    locked_at     {{TIMESTAMP}},
    UNIQUE (framework_id, version)
);

CREATE TABLE framework_elements (
    id          {{ID}},
    version_id  BIGINT NOT NULL REFERENCES framework_versions(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    parent_key  TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    rateable    {{BOOL}} NOT NULL DEFAULT {{FALSE}},
    UNIQUE (version_id, key)
);

-- Level names are labels an administrator may change without publishing a new version.
CREATE TABLE framework_level_labels (
    framework_id  BIGINT NOT NULL REFERENCES frameworks(id) ON DELETE CASCADE,
    level         INTEGER NOT NULL,
    label         TEXT NOT NULL,
    updated_by    BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at    {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (framework_id, level)
);

-- Who did what to shared configuration (imports, relabels, role changes). Never personal content.
CREATE TABLE audit_events (
    id        {{ID}},
    actor_id  BIGINT REFERENCES users(id) ON DELETE SET NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL DEFAULT '',
    at        {{TIMESTAMP}} NOT NULL
);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE framework_level_labels;
DROP TABLE framework_elements;
DROP TABLE framework_versions;
DROP TABLE frameworks;
DROP TABLE api_tokens;
DROP TABLE password_resets;
DROP TABLE signin_failures;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organisations;
