-- GET /?filter=active: as home.sql, with the filtered statement (src/tasks/ssr/repo.rs
-- `fetch_rows`, `completed = $2`, which walks the (user_id, completed, id) index).
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND completed = :completed AND id < :after ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
