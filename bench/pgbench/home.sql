-- GET / signed in, first page, "All". The statements one request issues, in order,
-- as the app sends them: session load (src/auth/ssr/store.rs `load`), the person
-- (src/auth/ssr/mod.rs `resolve`), one page plus one row (src/tasks/ssr.rs
-- `fetch_rows`), the counter (`list_for`). The session `save` UPDATE happens at most
-- once a minute per session, so it is left out. Variables come from scripts/bench
-- (-D): sid, uid, after (i64::MAX on a first page), limit (51: a page plus one).
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND id < :after ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
