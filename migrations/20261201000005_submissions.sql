-- Create forms and imports that happen once (issue 15). Each form carries a key made
-- when it was rendered; the same submission sent again (a double click, a retry after
-- an answer lost once the work was committed, a browser sending a form again) finds
-- its row here and is answered like the first instead of being stored twice.
-- `key`: the SHA-256 of the form's key, the action and what was sent, so the same
-- form sent again with other text is a new submission. `outcome`: what the first one
-- produced (the new task's id, or how many tasks were imported), written in the same
-- transaction as the work. Rows are swept after a day (`submissions::REMEMBERED_FOR`).
CREATE TABLE submissions (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        bytea       NOT NULL CHECK (octet_length(key) = 32),
    outcome    bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

CREATE INDEX submissions_created_at ON submissions (created_at);
