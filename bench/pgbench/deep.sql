-- GET /?after=<id near the end>: as home.sql, plus the probe for newer tasks that a
-- cursor page makes (src/tasks/ssr/repo.rs `list`: `fetch_rows` before the newest
-- task shown, limit 1) with :newest, the newest task the page shows.
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND id < :after ORDER BY id DESC LIMIT :limit;
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND id > :newest ORDER BY id ASC LIMIT 1;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
