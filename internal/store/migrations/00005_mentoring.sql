-- +goose Up
-- Mentoring and coaching (issue 5): mentor and coach profiles with verified accreditation, a
-- mentee's ask for a match, relationships from request to end, agreements, sessions with private
-- and shared notes, end-of-relationship reviews and personal calendar feeds.
-- Everything personal here is read only by the two people in a relationship (package mentoring,
-- Service.Relationship is the one gate); coordinators see counts, never notes.

-- Who manages whom: one line manager per person. Mentoring needs a space outside line
-- management, so a pair in one chain is never matched (match.ReasonChain).
CREATE TABLE line_managers (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    manager_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    updated_at  {{TIMESTAMP}} NOT NULL,
    CHECK (user_id <> manager_id)
);
CREATE INDEX line_managers_manager ON line_managers(manager_id);

CREATE TABLE mentor_profiles (
    user_id               BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    kind                  TEXT NOT NULL CHECK (kind IN ('mentor','coach','both')),
    level                 INTEGER NOT NULL CHECK (level BETWEEN 1 AND 9),
    background            TEXT NOT NULL DEFAULT '',
    -- Coaching accreditation claimed: '' none, or emcc, icf, ilm5, ilm7, other (named in detail).
    accreditation         TEXT NOT NULL DEFAULT '' CHECK (accreditation IN ('','emcc','icf','ilm5','ilm7','other')),
    accreditation_detail  TEXT NOT NULL DEFAULT '',
    evidence_name         TEXT NOT NULL DEFAULT '',
    evidence_type         TEXT NOT NULL DEFAULT '',
    evidence_data         {{BLOB}},
    -- none (nothing claimed), pending (claimed, waiting for an administrator), verified, rejected.
    -- Only 'verified' is ever shown as accredited.
    accreditation_status  TEXT NOT NULL DEFAULT 'none' CHECK (accreditation_status IN ('none','pending','verified','rejected')),
    verified_by           BIGINT REFERENCES users(id) ON DELETE SET NULL,
    verified_at           {{TIMESTAMP}},
    verification_note     TEXT NOT NULL DEFAULT '',
    -- Raised whenever the claim, its detail or its evidence changes: a verifier's decision
    -- carries the revision they looked at, so a file swapped meanwhile is never verified unseen.
    claim_revision        INTEGER NOT NULL DEFAULT 0,
    free                  {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    -- Money in whole pence, per session; NULL when free.
    fee_pence             BIGINT CHECK (fee_pence IS NULL OR fee_pence >= 0),
    -- Modes as ",video,phone,in-person," so one mode filters with LIKE.
    modes                 TEXT NOT NULL DEFAULT '',
    region                TEXT NOT NULL DEFAULT '',
    capacity              INTEGER NOT NULL CHECK (capacity BETWEEN 0 AND 20),
    -- Off while the person takes a break: existing mentees stay, nobody new is offered them.
    listed                {{BOOL}} NOT NULL DEFAULT {{TRUE}},
    created_at            {{TIMESTAMP}} NOT NULL,
    updated_at            {{TIMESTAMP}} NOT NULL
);
CREATE INDEX mentor_profiles_listed ON mentor_profiles(listed, accreditation_status);

CREATE TABLE mentor_profile_elements (
    user_id        BIGINT NOT NULL REFERENCES mentor_profiles(user_id) ON DELETE CASCADE,
    framework_key  TEXT NOT NULL,
    element_key    TEXT NOT NULL,
    PRIMARY KEY (user_id, framework_key, element_key)
);
CREATE INDEX mentor_profile_elements_element ON mentor_profile_elements(framework_key, element_key, user_id);

-- A mentee's ask for a match: what they want to grow and how they can meet. The self-service
-- ranking reads it, and a programme lead matches the open asks of their organisation at once.
CREATE TABLE mentoring_asks (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    -- The organisation whose programme coordinates the match, if any.
    org_id      BIGINT REFERENCES organisations(id) ON DELETE SET NULL,
    want        TEXT NOT NULL DEFAULT 'either' CHECK (want IN ('mentor','coach','either')),
    modes       TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT '',
    -- The most they would pay per session in pence: NULL no limit, 0 free only.
    budget_pence BIGINT CHECK (budget_pence IS NULL OR budget_pence >= 0),
    goals       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','matched','withdrawn')),
    created_at  {{TIMESTAMP}} NOT NULL,
    updated_at  {{TIMESTAMP}} NOT NULL
);
CREATE INDEX mentoring_asks_org ON mentoring_asks(org_id, status);

-- Elements picked in the ask, used when the person has no assessed gaps; size ranks them.
CREATE TABLE mentoring_ask_elements (
    user_id        BIGINT NOT NULL REFERENCES mentoring_asks(user_id) ON DELETE CASCADE,
    framework_key  TEXT NOT NULL,
    element_key    TEXT NOT NULL,
    size           DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (user_id, framework_key, element_key)
);

CREATE TABLE mentoring_relationships (
    id                {{ID}},
    mentee_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    mentor_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The coordinating organisation (the programme that matched them, or the mentee's), for
    -- reports that count pairs and sessions and never show notes.
    org_id            BIGINT REFERENCES organisations(id) ON DELETE SET NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('mentoring','coaching')),
    status            TEXT NOT NULL CHECK (status IN ('requested','declined','withdrawn','active','completed','ended_early')),
    request_message   TEXT NOT NULL DEFAULT '',
    response_message  TEXT NOT NULL DEFAULT '',
    -- The score and its parts (JSON of match.Score) as the mentee saw them when asking.
    -- DOUBLE PRECISION: REAL is single precision on PostgreSQL, and the score must match its parts.
    score             DOUBLE PRECISION NOT NULL DEFAULT 0,
    score_parts       TEXT NOT NULL DEFAULT '',
    -- Set when a programme lead proposed the pair in a cohort match.
    proposed_by       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- The agreement, filled in by either person once active.
    agreement_goals            TEXT NOT NULL DEFAULT '',
    agreement_frequency        TEXT NOT NULL DEFAULT '',
    agreement_confidentiality  TEXT NOT NULL DEFAULT '',
    agreement_end_on           TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD
    agreement_mentee_at        {{TIMESTAMP}},             -- when each person agreed to it
    agreement_mentor_at        {{TIMESTAMP}},
    -- Why it ended early: a fixed reason (counted in reports) and a note only the pair sees.
    ended_reason      TEXT NOT NULL DEFAULT '',
    ended_note        TEXT NOT NULL DEFAULT '',
    ended_by          BIGINT REFERENCES users(id) ON DELETE SET NULL,
    requested_at      {{TIMESTAMP}} NOT NULL,
    responded_at      {{TIMESTAMP}},
    started_at        {{TIMESTAMP}},
    ended_at          {{TIMESTAMP}},
    updated_at        {{TIMESTAMP}} NOT NULL,
    CHECK (mentee_id <> mentor_id)
);
CREATE INDEX mentoring_relationships_mentor ON mentoring_relationships(mentor_id, status);
CREATE INDEX mentoring_relationships_mentee ON mentoring_relationships(mentee_id, status);
CREATE INDEX mentoring_relationships_org ON mentoring_relationships(org_id, status);
-- One live (requested or active) relationship per pair: asking twice is refused by the database too.
CREATE UNIQUE INDEX mentoring_relationships_live ON mentoring_relationships(mentee_id, mentor_id) WHERE status IN ('requested','active');

-- What the pair is working on: the mentee's gaps the mentor helps with, for element coverage.
CREATE TABLE mentoring_relationship_elements (
    relationship_id  BIGINT NOT NULL REFERENCES mentoring_relationships(id) ON DELETE CASCADE,
    framework_key    TEXT NOT NULL,
    element_key      TEXT NOT NULL,
    PRIMARY KEY (relationship_id, framework_key, element_key)
);

CREATE TABLE mentoring_sessions (
    id               {{ID}},
    relationship_id  BIGINT NOT NULL REFERENCES mentoring_relationships(id) ON DELETE CASCADE,
    starts_at        {{TIMESTAMP}} NOT NULL,
    minutes          INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    mode             TEXT NOT NULL DEFAULT '',
    location         TEXT NOT NULL DEFAULT '',
    agenda           TEXT NOT NULL DEFAULT '',
    shared_notes     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','held','cancelled')),
    -- iCalendar identity: the UID never changes, the sequence rises with each change sent.
    ics_uid          TEXT NOT NULL UNIQUE,
    ics_sequence     INTEGER NOT NULL DEFAULT 0,
    -- The mentee's CPD entry made from this session, if any.
    cpd_entry_id     BIGINT REFERENCES cpd_entries(id) ON DELETE SET NULL,
    created_by       BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at       {{TIMESTAMP}} NOT NULL,
    updated_at       {{TIMESTAMP}} NOT NULL
);
CREATE INDEX mentoring_sessions_relationship ON mentoring_sessions(relationship_id, starts_at);

-- Each person's private notes on a session: only the author ever reads them.
CREATE TABLE mentoring_private_notes (
    id          {{ID}},
    session_id  BIGINT NOT NULL REFERENCES mentoring_sessions(id) ON DELETE CASCADE,
    author_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    body        TEXT NOT NULL DEFAULT '',
    updated_at  {{TIMESTAMP}} NOT NULL,
    UNIQUE (session_id, author_id)
);

-- The end-of-relationship review, one from each side.
CREATE TABLE mentoring_reviews (
    relationship_id  BIGINT NOT NULL REFERENCES mentoring_relationships(id) ON DELETE CASCADE,
    author_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    helpful          INTEGER NOT NULL CHECK (helpful BETWEEN 1 AND 5),
    goals_met        TEXT NOT NULL CHECK (goals_met IN ('yes','partly','no')),
    went_well        TEXT NOT NULL DEFAULT '',
    do_differently   TEXT NOT NULL DEFAULT '',
    created_at       {{TIMESTAMP}} NOT NULL,
    PRIMARY KEY (relationship_id, author_id)
);

-- A personal calendar feed: only the SHA-256 of the secret in the URL is stored.
CREATE TABLE calendar_feeds (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  {{TIMESTAMP}} NOT NULL
);

-- +goose Down
DROP TABLE calendar_feeds;
DROP TABLE mentoring_reviews;
DROP TABLE mentoring_private_notes;
DROP TABLE mentoring_sessions;
DROP TABLE mentoring_relationship_elements;
DROP TABLE mentoring_relationships;
DROP TABLE mentoring_ask_elements;
DROP TABLE mentoring_asks;
DROP TABLE mentor_profile_elements;
DROP TABLE mentor_profiles;
DROP TABLE line_managers;
