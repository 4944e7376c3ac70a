-- POST /api/login (no cookie): the throttle check (src/auth/ssr/throttle.rs), the
-- account, forgiving the account's failures, and the new session's INSERT
-- (src/auth/ssr/store.rs `create`). The password hash itself is CPU work in the
-- app, not SQL: this ceiling is the database's share only.
\set r random(1, 9000000000000000000)
SELECT key, failures,
       EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => :window) - now()))::float8 AS remaining_secs
  FROM login_throttle
 WHERE key = ANY(:keys) AND window_started_at > now() - make_interval(secs => :window);
SELECT id, password_hash FROM users WHERE email = :email AND is_active;
DELETE FROM login_throttle WHERE key = :account;
INSERT INTO sessions (id, user_id, data, expires_at) VALUES (:r, :uid, :data, :expires)
 ON CONFLICT (id) DO NOTHING;
