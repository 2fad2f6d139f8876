-- +goose Up
-- Snapshots of the dispatch state after the first size events of the log
-- (store.Snapshot), each bound to the root of the tree of that size: a node
-- starts from the latest one that matches its log and replays only the
-- events after it. Only the newest few are kept. A snapshot is a
-- projection: deleting every row costs a full replay at the next start,
-- nothing else.
--
-- SQLite has one writer at a time, and a snapshot may be large: its data is
-- written in chunks, each in a transaction of its own, so that the log's
-- appends (and the lease's renewals) go on between them. A snapshot exists
-- once its row in snapshots does, written after every chunk.
CREATE TABLE snapshots (
    size    INTEGER PRIMARY KEY,
    root    BLOB NOT NULL,
    format  TEXT NOT NULL,
    chunks  INTEGER NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE snapshot_chunks (
    size INTEGER NOT NULL,
    n    INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (size, n)
);

-- +goose Down
DROP TABLE snapshot_chunks;
DROP TABLE snapshots;
