-- Townships, enrolment, devices, request nonces, case documents and the sync state of each
-- device for each document.
CREATE TABLE townships (code TEXT PRIMARY KEY, name TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
CREATE TABLE enroll_codes (
    code_hash TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
    expires_at INTEGER NOT NULL, used_by TEXT);
CREATE TABLE devices (
    id TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
    serial INTEGER NOT NULL, public_key TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL,
    label TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, enrolled_at INTEGER NOT NULL,
    UNIQUE (township, serial));
CREATE TABLE nonces (
    device_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce));
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
CREATE TABLE docs (
    township TEXT NOT NULL, doc_id TEXT NOT NULL, bytes BLOB NOT NULL, digest TEXT NOT NULL,
    version INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (township, doc_id));
CREATE INDEX docs_by_seq ON docs (township, seq);
CREATE TABLE sync_states (
    device_id TEXT NOT NULL, doc_id TEXT NOT NULL, state BLOB NOT NULL,
    PRIMARY KEY (device_id, doc_id));
