-- POST /api/tasks/create: session, person, the INSERT (src/tasks/ssr.rs `create`;
-- its statement trigger updates task_counts, as in the app).
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
INSERT INTO tasks (user_id, title, description) VALUES (:uid, :title, NULL)
 RETURNING id, title, description, completed;
