-- +goose Up
-- The witness (C2SP tlog-witness): for each log it knows, the latest
-- checkpoint it cosigned. The size is what add-checkpoint compares and
-- swaps, so that two submissions cannot both move it.
CREATE TABLE witness_logs (
    origin     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    root       BLOB NOT NULL,
    checkpoint BLOB NOT NULL,
    updated    TEXT NOT NULL
);

-- Checkpoints refused because they contradict the one held: a fork of a
-- log, kept as evidence with the checkpoint it contradicts.
CREATE TABLE witness_forks (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    origin    TEXT NOT NULL,
    held      BLOB NOT NULL,
    submitted BLOB NOT NULL,
    reason    TEXT NOT NULL,
    seen      TEXT NOT NULL
);
CREATE INDEX witness_forks_origin ON witness_forks (origin, id);

-- This log's own checkpoints with the cosignatures its witnesses returned.
CREATE TABLE cosigned_checkpoints (
    size    BIGINT PRIMARY KEY,
    note    BLOB NOT NULL,
    updated TEXT NOT NULL
);

-- +goose Down
DROP TABLE cosigned_checkpoints;
DROP TABLE witness_forks;
DROP TABLE witness_logs;
