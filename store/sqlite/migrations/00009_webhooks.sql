-- +goose Up
-- Webhook subscriptions (package webhook) and the outcome of each delivery.
-- A subscription's secret signs its deliveries: it is kept here, never in
-- the log. next is its outbox position (the first event neither delivered
-- nor skipped), so deliveries resume after a restart where they stopped.
-- events is the JSON array of its event patterns. Times are RFC 3339 text,
-- as in 00003; "" (SQLite) or NULL (PostgreSQL) is none.
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    agency        TEXT NOT NULL,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        BLOB NOT NULL,
    created       TEXT NOT NULL,
    next          BIGINT NOT NULL,
    failing_since TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_agency ON webhooks (agency);

CREATE TABLE webhook_deliveries (
    webhook   TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    type      TEXT NOT NULL,
    attempts  INTEGER NOT NULL,
    status    INTEGER NOT NULL,
    error     TEXT NOT NULL,
    first     TEXT NOT NULL,
    last      TEXT NOT NULL,
    next      TEXT NOT NULL,
    delivered BOOLEAN NOT NULL,
    PRIMARY KEY (webhook, seq)
);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
