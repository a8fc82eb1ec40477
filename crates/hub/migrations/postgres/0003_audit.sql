-- Each township's audit log (device events in log order) and the checkpoints the hub signed.
CREATE TABLE audit_log (
    township TEXT NOT NULL, position BIGINT NOT NULL, device_id TEXT NOT NULL,
    seq BIGINT NOT NULL, hash BYTEA NOT NULL, bytes BYTEA NOT NULL, signature BYTEA NOT NULL,
    PRIMARY KEY (township, position), UNIQUE (device_id, seq));
CREATE TABLE audit_checkpoints (
    township TEXT NOT NULL, size BIGINT NOT NULL, checkpoint TEXT NOT NULL,
    PRIMARY KEY (township, size));
