-- Each township's audit log (device events in log order) and the checkpoints the hub signed.
CREATE TABLE audit_log (
    township TEXT NOT NULL, position INTEGER NOT NULL, device_id TEXT NOT NULL,
    seq INTEGER NOT NULL, hash BLOB NOT NULL, bytes BLOB NOT NULL, signature BLOB NOT NULL,
    PRIMARY KEY (township, position), UNIQUE (device_id, seq));
CREATE TABLE audit_checkpoints (
    township TEXT NOT NULL, size INTEGER NOT NULL, checkpoint TEXT NOT NULL,
    PRIMARY KEY (township, size));
