-- GET / signed in, first page, "All". The statements one request issues, in order,
-- as the app sends them: the session with its person (src/auth/ssr/session/store.rs
-- `load`), one page plus one row (src/tasks/ssr/repo.rs `fetch_rows`), the counter
-- (`list`). The session `save` UPDATE happens at most once a minute per
-- session, so it is left out. Variables come from scripts/bench
-- (-D): sid, uid, after (i64::MAX on a first page), limit (51: a page plus one).
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND id < :after ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
