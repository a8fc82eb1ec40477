-- What the supervision figures read of each stored case: its events stripped of the applicant,
-- written with the document in one transaction. NULL for a document that is not a readable case.
-- Kept in key order (WITHOUT ROWID), so a county's or a township's rows are read in one sweep.
CREATE TABLE case_facts (
    township TEXT NOT NULL, doc_id TEXT NOT NULL, facts TEXT,
    PRIMARY KEY (township, doc_id)) WITHOUT ROWID;
-- County officers signed in to the hub's supervision page: the hash of each session's token
-- (the token itself lives only in the officer's browser), whose account and which of its keys
-- (a password reset gives a new key, which ends the session), and until when.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY, unit TEXT NOT NULL, name TEXT NOT NULL,
    public_key TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
