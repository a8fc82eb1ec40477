-- What each desk said of itself at its last sync: the version it runs and when it said so, so
-- an operator sees which desks still run an old version.
CREATE TABLE desk_versions (
    device_id TEXT PRIMARY KEY, version TEXT NOT NULL, seen_at_ms BIGINT NOT NULL);
