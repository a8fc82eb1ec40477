-- Accounts of each township, and settings by scope (a township, or '' for the whole hub).
CREATE TABLE users (
    township TEXT NOT NULL REFERENCES townships (code), name TEXT NOT NULL,
    role TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT,
    created_at INTEGER NOT NULL, PRIMARY KEY (township, name));
CREATE TABLE settings (
    scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (scope, key));
