-- Every configuration document has a version: 1 when created, one more on
-- every write; conditional writes (PutConfigIf) compare it.
ALTER TABLE configs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- Attempts counted under a key (login throttling), shared by every process.
-- Times are Unix microseconds.
CREATE TABLE attempts (
    key      TEXT COLLATE "C" PRIMARY KEY,
    count    INTEGER NOT NULL,
    last_us  BIGINT NOT NULL,
    until_us BIGINT NOT NULL
);
CREATE INDEX attempts_last ON attempts (last_us);
