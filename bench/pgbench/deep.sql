-- GET /?after=<id near the end>: as home.sql, plus the probe for newer tasks that
-- a cursor page makes (src/tasks/ssr.rs `exists_newer`) with :newest, the newest
-- task the page shows.
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND completed = ANY(:completed) AND id < :after
 ORDER BY id DESC LIMIT :limit;
SELECT EXISTS (SELECT 1 FROM tasks WHERE user_id = :uid AND completed = ANY(:completed) AND id > :newest);
SELECT active, completed FROM task_counts WHERE user_id = :uid;
