-- Wrong passwords per enrolment code; the pages each stored case references (uploads are
-- accepted for those only); page uploads in progress, kept here so any hub process of a county
-- resumes them; per-peer request counts; checkpoints desks handed back as verified.
ALTER TABLE enroll_codes ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
CREATE TABLE case_pages (
    township TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (township, sha256));
CREATE TABLE page_uploads (
    township TEXT NOT NULL, sha256 TEXT NOT NULL, idx INTEGER NOT NULL,
    device_id TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL,
    updated_at INTEGER NOT NULL, PRIMARY KEY (township, sha256, idx));
CREATE INDEX page_uploads_by_device ON page_uploads (device_id);
CREATE INDEX page_uploads_by_age ON page_uploads (updated_at);
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE witnessed_checkpoints (
    township TEXT NOT NULL, size INTEGER NOT NULL, device_id TEXT NOT NULL,
    checkpoint TEXT NOT NULL, PRIMARY KEY (township, size, device_id));
