-- POST /api/tasks/create: session with person, the INSERT (src/tasks/ssr/repo.rs `create`;
-- its statement trigger updates task_counts, as in the app).
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
INSERT INTO tasks (user_id, title, description) VALUES (:uid, :title, NULL)
 RETURNING id, title, description, completed;
