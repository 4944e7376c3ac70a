-- Server-side sessions for tower-sessions, stored by the app's own `SessionStore`
-- (src/auth/session_store.rs) rather than tower-sessions-sqlx-store, for two reasons:
--  * `user_id` is a real column, so "end every other session of this person" is one
--    DELETE, and deleting a user removes their sessions by cascade;
--  * saving an existing session is an UPDATE, never an upsert, so a slow request
--    that finishes after log out cannot bring the deleted session back.
-- `id` is the random session id from the cookie (tower-sessions' 128-bit Id).
CREATE TABLE sessions (
    id         text        PRIMARY KEY,
    user_id    bigint,
    data       jsonb       NOT NULL,
    expires_at timestamptz NOT NULL,
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- The background sweep deletes expired sessions by this index.
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
