-- Failed log-ins counted per key ("account:<email>" or "address:<ip>") in a fixed
-- window that starts at the first failure. In the database rather than in memory so
-- that every app instance sees the same counts and a restart forgives nobody.
-- A row whose window has passed counts as zero; the sweeper deletes it later.
CREATE TABLE login_throttle (
    key               text        PRIMARY KEY,
    failures          integer     NOT NULL CHECK (failures > 0),
    window_started_at timestamptz NOT NULL
);
