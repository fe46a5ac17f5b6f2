-- Profiles, sessions and events keep Tracardi's JSON documents in doc; the
-- fields queried on are copied into columns. Times are Unix microseconds (UTC).
-- The SQLite schema (internal/store/sqlite/migrations) is the same
-- logical schema. Keys use COLLATE "C" so that text sorts by bytes, as in
-- SQLite.

CREATE TABLE profiles (
    id          TEXT COLLATE "C" PRIMARY KEY,
    inserted_us BIGINT NOT NULL,
    updated_us  BIGINT NOT NULL,
    doc         JSONB NOT NULL
) WITH (fillfactor = 90); -- room on the page for in-place (HOT) updates

-- Every id a profile answers to: its own id and its ids[] aliases.
CREATE TABLE profile_aliases (
    alias      TEXT COLLATE "C" PRIMARY KEY,
    profile_id TEXT COLLATE "C" NOT NULL REFERENCES profiles (id) ON DELETE CASCADE
);
CREATE INDEX profile_aliases_profile ON profile_aliases (profile_id);

CREATE TABLE sessions (
    id          TEXT COLLATE "C" PRIMARY KEY,
    profile_id  TEXT COLLATE "C",
    inserted_us BIGINT NOT NULL,
    doc         JSONB NOT NULL
) WITH (fillfactor = 90);
CREATE INDEX sessions_profile ON sessions (profile_id, inserted_us DESC, id DESC);

CREATE TABLE events (
    id          TEXT COLLATE "C" PRIMARY KEY,
    type        TEXT COLLATE "C",
    profile_id  TEXT COLLATE "C",
    session_id  TEXT COLLATE "C",
    source_id   TEXT COLLATE "C",
    status      TEXT COLLATE "C",
    inserted_us BIGINT NOT NULL,
    doc         JSONB NOT NULL
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
    kind       TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C",
    updated_us BIGINT NOT NULL,
    doc        JSONB NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Bumped in the same transaction as every configuration change.
CREATE TABLE config_version (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    version   BIGINT NOT NULL
);
INSERT INTO config_version (singleton, version) VALUES (1, 0);
