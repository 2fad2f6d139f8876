-- +goose Up
-- Idempotency keys of commands whose events are durable (store.Idempotency):
-- written in the transaction of the command's events, so that a retry that
-- reaches another node, or this one restarted, finds the command done. The
-- answer (status, header as JSON, body) is added once it is made; status 0
-- is a command whose answer was never stored. created is Unix nanoseconds,
-- so that expired rows are found by comparing numbers; rows older than the
-- server's idempotency TTL are deleted. Nothing here enters the log.
CREATE TABLE idempotency (
    key         BYTEA PRIMARY KEY,
    fingerprint BYTEA NOT NULL,
    first_seq   BIGINT NOT NULL,
    count       BIGINT NOT NULL,
    created     BIGINT NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    header      TEXT NOT NULL DEFAULT '',
    body        BYTEA
);
CREATE INDEX idempotency_created ON idempotency (created);

-- +goose Down
DROP TABLE idempotency;
