-- The memory flows share (Write to memory / Read from memory): JSON values
-- under keys, each with an expiry in Unix microseconds (0: none). Reads
-- ignore expired entries; writes delete a batch of them.
CREATE TABLE plugin_memory (
    key        TEXT COLLATE "C" PRIMARY KEY,
    value      TEXT NOT NULL,
    expires_us BIGINT NOT NULL
);
CREATE INDEX plugin_memory_expires ON plugin_memory (expires_us) WHERE expires_us > 0;
