-- +goose Up
-- The sequencer lease: one row. Times are seconds since the Unix epoch by
-- SQLite's clock (julianday('now')).
CREATE TABLE lease (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    node    TEXT NOT NULL,
    url     TEXT NOT NULL,
    epoch   INTEGER NOT NULL,
    expires REAL NOT NULL
);

-- +goose Down
DROP TABLE lease;
