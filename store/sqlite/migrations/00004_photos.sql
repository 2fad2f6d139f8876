-- +goose Up
-- Photos (of BOLOs), kept by content: the key is the SHA-256 of the bytes,
-- so the same image stored twice is one row, and a hash in the log names
-- exactly the bytes it was made of.
CREATE TABLE photos (
    hash    BLOB PRIMARY KEY,
    type    TEXT NOT NULL,
    data    BLOB NOT NULL,
    created TEXT NOT NULL
);

-- +goose Down
DROP TABLE photos;
