-- +goose Up
-- The event log: one row per leaf, the exact leaf bytes and the Merkle tree
-- hashes (tlog stored hashes) that became computable when it was appended.
CREATE TABLE leaves (
    seq    BIGINT PRIMARY KEY,
    entry  BYTEA NOT NULL,
    hashes BYTEA NOT NULL
);

-- Openings of private fields' commitments, apart from the log so that they can
-- be erased without touching a leaf. Fields sort by their bytes (COLLATE "C"),
-- as in SQLite, whatever the database's locale.
CREATE TABLE openings (
    seq   BIGINT NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    salt  BYTEA NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (seq, field)
);

-- Every signed checkpoint ever made, so that any old one can be proven
-- consistent with the newest.
CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    note BYTEA NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Times of users and tokens are RFC 3339 text with nanoseconds, as the
-- caller gave them: TIMESTAMPTZ keeps only microseconds.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    agency        TEXT NOT NULL,
    roles         TEXT[] NOT NULL,
    password_hash TEXT NOT NULL,
    created       TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE
);

-- expires is NULL for a token that never expires.
CREATE TABLE tokens (
    hash     BYTEA PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    created  TEXT NOT NULL,
    expires  TEXT,
    revoked  BOOLEAN NOT NULL DEFAULT FALSE
);

-- +goose Down
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE meta;
DROP TABLE checkpoints;
DROP TABLE openings;
DROP TABLE leaves;
