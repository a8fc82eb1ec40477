-- Departments whose systems ask the hub for cases (人社, 民政, 医保, 残联…), registered by the
-- operator with their system's public key; every request is signed with it.
CREATE TABLE departments (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
    public_key TEXT NOT NULL, added_at_ms BIGINT NOT NULL, disabled_at_ms BIGINT);
-- Where each use of a case stands in its township's log (a department's request, released or
-- refused; a lookup across townships), so the citizen's page reads those entries alone; and the
-- grant a release was made under, so its uses are counted.
CREATE TABLE case_accesses (
    case_number TEXT NOT NULL, township TEXT NOT NULL, position BIGINT NOT NULL,
    grant_id TEXT, released INTEGER NOT NULL,
    PRIMARY KEY (case_number, position));
CREATE INDEX case_accesses_by_grant ON case_accesses (grant_id);
-- 一证通办: each stored case under a keyed hash of its applicant's ID number (the key derives from
-- the storage key, outside the database), written with the document, so a desk's lookup across
-- the county's townships finds the cases without unsealing every one.
CREATE TABLE case_applicants (
    township TEXT NOT NULL, doc_id TEXT NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (township, doc_id));
CREATE INDEX case_applicants_by_tag ON case_applicants (tag);
