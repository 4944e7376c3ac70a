-- GET /?filter=active: as home.sql, with the filtered statement (src/tasks/ssr.rs
-- `fetch_rows`, `completed = $2`, which walks the (user_id, completed, id) index).
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
SELECT id, title, description, completed FROM tasks
 WHERE user_id = :uid AND completed = :completed AND id < :after ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
