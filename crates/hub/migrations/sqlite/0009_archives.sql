-- Archived packages (归档): one row per archived case, with its 档号 (unique; 件号 numbered per
-- batch without gaps), where its sealed package object lives and how large it is.
CREATE TABLE archives (
    case_number TEXT PRIMARY KEY, township TEXT NOT NULL, code TEXT NOT NULL UNIQUE,
    batch TEXT NOT NULL, item INTEGER NOT NULL, year INTEGER NOT NULL, retention TEXT NOT NULL,
    object TEXT NOT NULL, bytes BIGINT NOT NULL, archived_at_ms BIGINT NOT NULL,
    UNIQUE (batch, item));
CREATE INDEX archives_by_township ON archives (township, year);
-- What was done with each package and what its check found (archived, fixity, transfer), with
-- the hub-signed report; rows are only ever added.
CREATE TABLE archive_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, case_number TEXT NOT NULL, at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT NOT NULL, report TEXT);
CREATE INDEX archive_events_by_case ON archive_events (case_number, id);
