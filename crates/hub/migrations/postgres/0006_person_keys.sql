-- Each account has its own signing key, its private half sealed under the person's password (the
-- sealing also checks the password, so no separate hash is kept). The hub keeps every public key
-- an account has had, from when, and which desks each person works at, from when to when.
-- Accounts made before keys have none and need a password reset.
ALTER TABLE users ADD COLUMN public_key TEXT;
ALTER TABLE users ADD COLUMN sealed_key TEXT;
ALTER TABLE users ADD COLUMN sealed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users DROP COLUMN password_hash;
CREATE TABLE person_keys (
    township TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL, from_at BIGINT NOT NULL,
    PRIMARY KEY (township, name, public_key));
CREATE TABLE assignments (
    township TEXT NOT NULL, name TEXT NOT NULL, device_id TEXT NOT NULL, from_at BIGINT NOT NULL,
    until_at BIGINT);
CREATE INDEX assignments_by_person ON assignments (township, name);
-- Until now every account worked on every desk of its township: keep that, from the beginning.
INSERT INTO assignments (township, name, device_id, from_at, until_at)
    SELECT u.township, u.name, d.id, 0, NULL FROM users u
    JOIN devices d ON d.township = u.township WHERE NOT d.revoked;
ALTER TABLE account_changes ADD COLUMN device TEXT;
