-- GET /?q=4242 signed in, 100,000 tasks: the session with its person, the first page
-- of matches (src/tasks/ssr/repo.rs `fetch_matching`: every match read through the
-- search index, then the newest 51), the counter, and how many match
-- (`count_matching`). "4242" is a word in 11 of the person's 100,000 tasks
-- ("Task number 4242", "... 42420" to "... 42429"): a search for something in
-- particular, as a person types one. Variables as in home.sql.
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
WITH matching AS MATERIALIZED (
    SELECT id, title, description, completed FROM tasks
    WHERE user_id = :uid AND (NULL::bool IS NULL OR completed = NULL) AND id < :after
      AND to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
          @@ task_search_query('4242'))
SELECT id, title, description, completed FROM matching ORDER BY id DESC LIMIT :limit;
SELECT active, completed FROM task_counts WHERE user_id = :uid;
SELECT count(*) FROM tasks
 WHERE user_id = :uid AND (NULL::bool IS NULL OR completed = NULL)
   AND to_tsvector('task_search'::regconfig, title || ' ' || coalesce(description, ''))
       @@ task_search_query('4242');
