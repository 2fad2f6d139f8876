-- +goose Up
-- The event log: one row per leaf, the exact leaf bytes and the Merkle tree
-- hashes (tlog stored hashes) that became computable when it was appended.
CREATE TABLE leaves (
    seq    INTEGER PRIMARY KEY,
    entry  BLOB NOT NULL,
    hashes BLOB NOT NULL
);

-- Openings of private fields' commitments, apart from the log so that they can
-- be erased without touching a leaf.
CREATE TABLE openings (
    seq   INTEGER NOT NULL,
    field TEXT NOT NULL,
    salt  BLOB NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (seq, field)
);

-- Every signed checkpoint ever made, so that any old one can be proven
-- consistent with the newest.
CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note BLOB NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    agency        TEXT NOT NULL,
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created       TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE tokens (
    hash     BLOB PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users (username),
    created  TEXT NOT NULL,
    expires  TEXT NOT NULL DEFAULT '',
    revoked  INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE meta;
DROP TABLE checkpoints;
DROP TABLE openings;
DROP TABLE leaves;
