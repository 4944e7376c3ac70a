-- GET / signed in, first page (also ?filter=active with :completed = '{f}').
-- The statements one request issues, in order, as the app sends them:
-- session load (src/auth/ssr/store.rs `load`), the person (src/auth/ssr/mod.rs
-- `resolve`), one page plus one row (src/tasks/ssr.rs `list_for`), the counter.
-- The session `save` UPDATE happens at most once a minute per session, so it is
-- left out. Variables come from scripts/bench (-D): sid, uid, completed, after, limit
-- (51: a page of 50 plus one, bound as a parameter like the app does).
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND completed = ANY(:completed) AND id < :after
 ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
