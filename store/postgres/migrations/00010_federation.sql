-- +goose Up
-- Federation (package federation): the receipts this installation gave to
-- its peers' messages, by the sender's origin and the message's id, so that
-- a message sent again gets the very same answer; and each peer's outbox
-- position (the first event of this log neither delivered to it nor passed
-- over), so delivery resumes after a restart where it stopped. Times are
-- RFC 3339 text, as in 00003; "" (SQLite) or NULL (PostgreSQL) is none.
CREATE TABLE federation_receipts (
    sender  TEXT NOT NULL,
    id      TEXT NOT NULL,
    receipt BYTEA NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (sender, id)
);

CREATE TABLE federation_outbox (
    peer          TEXT PRIMARY KEY,
    next          BIGINT NOT NULL,
    attempts      INTEGER NOT NULL,
    failing_since TEXT,
    last_error    TEXT NOT NULL
);

-- +goose Down
DROP TABLE federation_outbox;
DROP TABLE federation_receipts;
