-- +goose Up
-- The subject index (store.Subject): which events are about a record, so
-- that a record's history is found without holding every record in memory.
-- Written in the transaction of its events; WITHOUT ROWID keeps the rows in
-- the primary key's b-tree, which is the only order they are read in.
CREATE TABLE subjects (
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (kind, id, seq)
) WITHOUT ROWID;

-- The subjects of the newest events, in log order, until Append folds them
-- into subjects (every few thousand events). A row here is appended at the
-- end of the table; a row in subjects lands wherever its record's rows are,
-- and a commit that touched one page of subjects for each event would write
-- many times the log's own bytes to the WAL. Folded in sorted runs, each
-- page takes many rows at once. SubjectSeqs reads both.
CREATE TABLE subjects_recent (
    seq  INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL
);

-- Closed records archived after their retention window (store.Archived): a
-- projection of the log, written in the transaction of the event that
-- archived it. Times are Unix nanoseconds, as in 00005, so they sort as
-- numbers; lat and lon are both NULL for a record without a point.
CREATE TABLE archive (
    kind    TEXT NOT NULL CHECK (kind <> ''),
    id      TEXT NOT NULL CHECK (id <> ''),
    agency  TEXT NOT NULL,
    type    TEXT NOT NULL,
    opened  INTEGER NOT NULL,
    closed  INTEGER NOT NULL,
    address TEXT NOT NULL,
    lat     REAL CHECK (lat BETWEEN -90 AND 90),
    lon     REAL CHECK (lon BETWEEN -180 AND 180),
    seq     INTEGER NOT NULL,
    doc     BLOB NOT NULL,
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
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    agency TEXT NOT NULL,
    pos    INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    PRIMARY KEY (kind, id, pos),
    FOREIGN KEY (kind, id) REFERENCES archive (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX archive_agencies_opened ON archive_agencies (agency, opened, kind, id);

-- The units that took part in an archived record, in their order (pos).
CREATE TABLE archive_units (
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    unit   TEXT NOT NULL,
    pos    INTEGER NOT NULL,
    opened INTEGER NOT NULL,
    PRIMARY KEY (kind, id, pos),
    FOREIGN KEY (kind, id) REFERENCES archive (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX archive_units_opened ON archive_units (unit, opened, kind, id);

-- +goose Down
DROP TABLE archive_units;
DROP TABLE archive_agencies;
DROP TABLE archive;
DROP TABLE subjects_recent;
DROP TABLE subjects;
