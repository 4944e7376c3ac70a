-- POST /api/login (no cookie): the throttle's counting upsert
-- (src/auth/ssr/throttle.rs `attempt`), the account, forgiving the account and
-- giving the address its attempt back (`succeeded`), and the new session's INSERT
-- (src/auth/ssr/session/store.rs `create`). The password hash itself is CPU work in the
-- app, not SQL: this ceiling is the database's share only.
\set r random(1, 9000000000000000000)
INSERT INTO login_throttle AS t (key, failures, window_started_at)
SELECT key, 1, now() FROM unnest(CAST(:keys AS text[])) AS key
ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN t.window_started_at <= now() - make_interval(secs => :window)
                    THEN 1 ELSE t.failures + 1 END,
    window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => :window)
                             THEN now() ELSE t.window_started_at END
RETURNING key, failures,
    EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => :window) - now()))::float8 AS remaining_secs;
SELECT id, password_hash FROM users WHERE email = :email AND is_active;
DELETE FROM login_throttle WHERE key = :account;
UPDATE login_throttle SET failures = failures - 1 WHERE key = :address AND failures > 1;
INSERT INTO sessions (id, user_id, data, expires_at) VALUES (:r, :uid, :data, :expires)
 ON CONFLICT (id) DO NOTHING;
