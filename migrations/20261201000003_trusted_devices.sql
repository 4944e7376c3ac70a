-- Trusted devices (issue 14): OWASP's device cookies. A browser that signed in to an
-- account gets a long-lived cookie holding a random token; this table keeps the
-- token's SHA-256 and the account it vouches for. Log-in attempts that present it
-- are throttled per device instead of against the account, so a stranger's guesses
-- cannot lock the owner out. Rows older than the cookie's lifetime are swept.
CREATE TABLE trusted_devices (
    token_hash bytea       PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trusted_devices_user_id ON trusted_devices (user_id);
