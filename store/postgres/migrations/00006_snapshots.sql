-- +goose Up
-- Snapshots of the dispatch state after the first size events of the log
-- (store.Snapshot), each bound to the root of the tree of that size: a node
-- starts from the latest one that matches its log and replays only the
-- events after it. Only the newest few are kept. A snapshot is a
-- projection: deleting every row costs a full replay at the next start,
-- nothing else.
CREATE TABLE snapshots (
    size    BIGINT PRIMARY KEY,
    root    BYTEA NOT NULL,
    format  TEXT NOT NULL,
    data    BYTEA NOT NULL,
    created TEXT NOT NULL
);

-- +goose Down
DROP TABLE snapshots;
