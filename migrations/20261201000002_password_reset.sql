-- Password reset by email (issue 14).
--
-- One pending reset per person, keyed by the person: a new request replaces the
-- token of the one before, so only the newest link works. Only a SHA-256 of the
-- token is stored; the token itself exists in the mail alone. Using a link deletes
-- its row, so it works once.
CREATE TABLE password_resets (
    user_id    bigint      PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Mail the app has promised to send, so a restart loses none. A row says what to
-- send (`kind`) and to whom; the mail itself is written by the worker at each
-- attempt, so no row ever holds a secret (a reset link's token is made as its mail
-- goes out). A worker claims a row by moving `next_attempt_at` past the longest a
-- send may take, in a statement that skips rows another worker holds, so two app
-- instances never send one mail twice; a sent mail's row is deleted.
CREATE TABLE mail_outbox (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text        NOT NULL,
    recipient       text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at);
