-- Ids are `bigint GENERATED ALWAYS AS IDENTITY`: 8 bytes, ordered by creation, and
-- cheap to index. Ordering by id is what keyset paging of tasks relies on (see the
-- tasks migration). UUIDs would hide how many rows exist, but every access is
-- checked against its owner anyway, so an id reveals nothing a person can use, and
-- random v4 UUIDs would scatter inserts across the index.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    password_hash text        NOT NULL,
    is_active     boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- The app normalises emails (trim, lower-case) before they get here; this is the
    -- last line of defence. Because every stored email is lower-case, the plain
    -- unique constraint below is a case-insensitive one.
    CONSTRAINT users_email_normalized CHECK (email = lower(btrim(email)) AND char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_name_length CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT users_password_hash_phc CHECK (password_hash LIKE '$argon2%')
);

-- One trigger function keeps `updated_at` honest for every table that has one,
-- whatever statement (the app's or an operator's) changes the row.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
