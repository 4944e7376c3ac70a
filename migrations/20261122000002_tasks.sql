-- Same id type as users, for the same reasons. A task's id grows with its creation,
-- so "newest first" is `ORDER BY id DESC`, and a page boundary is a single id
-- (the keyset cursor), which stays correct while tasks are being added.
CREATE TABLE tasks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint      NOT NULL,
    title       text        NOT NULL,
    description text,
    completed   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- The app trims and checks these first; the database refuses anything that slips
    -- past it. Whitespace-only titles trim to nothing and are refused too.
    CONSTRAINT tasks_title_length CHECK (char_length(btrim(title, E' \t\r\n')) BETWEEN 1 AND 200),
    CONSTRAINT tasks_description_length CHECK (description IS NULL OR char_length(description) <= 1000)
);

-- The list: one person's tasks, newest first, a page at a time after a cursor id.
-- Leading with user_id means this index also serves the foreign key's cascade.
CREATE INDEX tasks_user_id_id_idx ON tasks (user_id, id DESC);

-- The Active / Completed filters, and the "N items left" count (an index-only scan
-- over one person's active tasks).
CREATE INDEX tasks_user_id_completed_id_idx ON tasks (user_id, completed, id DESC);

CREATE TRIGGER tasks_set_updated_at
    BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
