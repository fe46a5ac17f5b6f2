-- Profiles, sessions and events keep Tracardi's JSON documents in doc; the
-- fields queried on are copied into columns. Times are Unix microseconds (UTC).
-- The PostgreSQL schema (internal/store/postgres/migrations) is the same
-- logical schema.

CREATE TABLE profiles (
    id          TEXT PRIMARY KEY,
    inserted_us INTEGER NOT NULL,
    updated_us  INTEGER NOT NULL,
    doc         TEXT NOT NULL
);

-- Every id a profile answers to: its own id and its ids[] aliases.
CREATE TABLE profile_aliases (
    alias      TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE
);
CREATE INDEX profile_aliases_profile ON profile_aliases (profile_id);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    profile_id  TEXT,
    inserted_us INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX sessions_profile ON sessions (profile_id, inserted_us DESC, id DESC);

CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    type        TEXT,
    profile_id  TEXT,
    session_id  TEXT,
    source_id   TEXT,
    status      TEXT,
    inserted_us INTEGER NOT NULL,
    doc         TEXT NOT NULL
);
-- Every index costs page writes on each collected event: only the profile
-- timeline, the event type and time ranges are indexed; other filters scan
-- a time range.
CREATE INDEX events_profile ON events (profile_id, inserted_us DESC, id DESC);
CREATE INDEX events_type ON events (type, inserted_us);
CREATE INDEX events_inserted ON events (inserted_us);

-- Configuration documents: sources, rules, flows, users, tokens, resources,
-- plugins, settings.
CREATE TABLE configs (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT,
    updated_us INTEGER NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Bumped in the same transaction as every configuration change.
CREATE TABLE config_version (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version   INTEGER NOT NULL
);
INSERT INTO config_version (singleton, version) VALUES (1, 0);
