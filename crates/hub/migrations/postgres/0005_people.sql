-- Accounts can be disabled, and every change to one is kept: who changed what, when. The hub
-- checks an event's author against the role they held and whether they were disabled then.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
CREATE TABLE account_changes (
    township TEXT NOT NULL, name TEXT NOT NULL, at BIGINT NOT NULL,
    change TEXT NOT NULL, role TEXT, operator TEXT NOT NULL);
CREATE INDEX account_changes_by_user ON account_changes (township, name, at);
