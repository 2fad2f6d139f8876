-- +goose Up
-- The subject index (store.Subject): which events are about a record, so
-- that a record's history is found without holding every record in memory.
-- Written in the transaction of its events. Kinds and ids sort by their
-- bytes (COLLATE "C"), as in SQLite, whatever the database's locale: pages
-- of the archive are ordered by id.
CREATE TABLE subjects (
    kind TEXT COLLATE "C" NOT NULL,
    id   TEXT COLLATE "C" NOT NULL,
    seq  BIGINT NOT NULL,
    PRIMARY KEY (kind, id, seq)
);

-- Closed records archived after their retention window (store.Archived): a
-- projection of the log, written in the transaction of the event that
-- archived it. Times are Unix nanoseconds, as in 00005, so they sort as
-- numbers; lat and lon are both NULL for a record without a point.
CREATE TABLE archive (
    kind    TEXT COLLATE "C" NOT NULL CHECK (kind <> ''),
    id      TEXT COLLATE "C" NOT NULL CHECK (id <> ''),
    agency  TEXT NOT NULL,
    type    TEXT NOT NULL,
    opened  BIGINT NOT NULL,
    closed  BIGINT NOT NULL,
    address TEXT NOT NULL,
    lat     DOUBLE PRECISION CHECK (lat BETWEEN -90 AND 90),
    lon     DOUBLE PRECISION CHECK (lon BETWEEN -180 AND 180),
    seq     BIGINT NOT NULL,
    doc     BYTEA NOT NULL,
    PRIMARY KEY (kind, id),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
-- Newest-first pages, of one kind or of all.
CREATE INDEX archive_kind_opened ON archive (kind, opened, id);
CREATE INDEX archive_opened ON archive (opened, id);
-- Priors at an address; by type; in a lat/lon box (the lat band is scanned
-- in the index, lon and opened checked there too).
CREATE INDEX archive_address ON archive (address, opened);
CREATE INDEX archive_type ON archive (kind, type, opened, id);
CREATE INDEX archive_point ON archive (lat, lon, opened) WHERE lat IS NOT NULL;

-- The agencies that may find an archived record: those it involves, in
-- their order (pos, the key's order, so they are read back unsorted), and
-- its owner, at pos -1 if it is not among them. opened is the record's, so
-- that one day of an agency is one index range.
CREATE TABLE archive_agencies (
    kind   TEXT COLLATE "C" NOT NULL,
    id     TEXT COLLATE "C" NOT NULL,
    agency TEXT NOT NULL,
    pos    INTEGER NOT NULL,
    opened BIGINT NOT NULL,
    PRIMARY KEY (kind, id, pos),
    FOREIGN KEY (kind, id) REFERENCES archive (kind, id) ON DELETE CASCADE
);
CREATE INDEX archive_agencies_opened ON archive_agencies (agency, opened, kind, id);

-- The units that took part in an archived record, in their order (pos).
CREATE TABLE archive_units (
    kind   TEXT COLLATE "C" NOT NULL,
    id     TEXT COLLATE "C" NOT NULL,
    unit   TEXT NOT NULL,
    pos    INTEGER NOT NULL,
    opened BIGINT NOT NULL,
    PRIMARY KEY (kind, id, pos),
    FOREIGN KEY (kind, id) REFERENCES archive (kind, id) ON DELETE CASCADE
);
CREATE INDEX archive_units_opened ON archive_units (unit, opened, kind, id);

-- +goose Down
DROP TABLE archive_units;
DROP TABLE archive_agencies;
DROP TABLE archive;
DROP TABLE subjects;
