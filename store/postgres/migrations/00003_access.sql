-- +goose Up
-- Identity and access: second factors, lockouts, scoped and named tokens,
-- browser sessions, and the failed sign-ins that lockouts count. As in
-- 00001, times are RFC 3339 text with nanoseconds, and NULL stands for the
-- zero time where a time is optional (locked_until, last_used, as expires).
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN locked_until TEXT;

-- A token's id is public, to list and revoke it by: by convention the hex of
-- its hash's first 8 bytes, which is what the tokens made before it get.
-- Ids compare by their bytes (COLLATE "C"), as in SQLite.
ALTER TABLE tokens ADD COLUMN id TEXT COLLATE "C";
UPDATE tokens SET id = encode(substring(hash from 1 for 8), 'hex');
ALTER TABLE tokens ALTER COLUMN id SET NOT NULL;
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN roles TEXT[] NOT NULL DEFAULT '{}';
ALTER TABLE tokens ADD COLUMN last_used TEXT;
CREATE UNIQUE INDEX tokens_id ON tokens (id);
CREATE INDEX tokens_username ON tokens (username);

CREATE TABLE sessions (
    hash      BYTEA PRIMARY KEY,
    username  TEXT NOT NULL REFERENCES users (username),
    created   TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    expires   TEXT NOT NULL
);
CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE sessions;
DROP INDEX tokens_username;
DROP INDEX tokens_id;
ALTER TABLE tokens DROP COLUMN last_used;
ALTER TABLE tokens DROP COLUMN roles;
ALTER TABLE tokens DROP COLUMN name;
ALTER TABLE tokens DROP COLUMN id;
ALTER TABLE users DROP COLUMN locked_until;
ALTER TABLE users DROP COLUMN totp_secret;
