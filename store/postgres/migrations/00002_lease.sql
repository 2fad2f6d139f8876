-- +goose Up
-- The sequencer lease: one row. expires is by the database's clock
-- (clock_timestamp()), never a node's.
CREATE TABLE lease (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    node    TEXT NOT NULL,
    url     TEXT NOT NULL,
    epoch   BIGINT NOT NULL,
    expires TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE lease;
