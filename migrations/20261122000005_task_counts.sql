-- Each person's number of active and completed tasks, kept by triggers, so the
-- "N items left" counter and "Clear completed" cost one row read however many tasks a
-- person has (counting 100,000 rows on every page view would not scale).
-- Statement-level triggers with transition tables touch each person's row once per
-- statement, so "mark all as complete" over 100,000 tasks is one counter update.
CREATE TABLE task_counts (
    user_id   bigint PRIMARY KEY,
    active    bigint NOT NULL DEFAULT 0,
    completed bigint NOT NULL DEFAULT 0,
    CONSTRAINT task_counts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT task_counts_not_negative CHECK (active >= 0 AND completed >= 0)
);

CREATE FUNCTION task_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO task_counts AS c (user_id, active, completed)
        SELECT user_id, count(*) FILTER (WHERE NOT completed), count(*) FILTER (WHERE completed)
        FROM new_rows GROUP BY user_id
        ON CONFLICT (user_id) DO UPDATE
            SET active = c.active + EXCLUDED.active, completed = c.completed + EXCLUDED.completed;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Only rows whose `completed` changed move between the counts; a title edit
        -- writes nothing here.
        UPDATE task_counts AS c
        SET active = c.active + moved.to_active, completed = c.completed - moved.to_active
        FROM (SELECT n.user_id, sum(CASE WHEN n.completed THEN -1 ELSE 1 END) AS to_active
              FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
              WHERE o.completed <> n.completed
              GROUP BY n.user_id) AS moved
        WHERE c.user_id = moved.user_id;
    ELSE
        UPDATE task_counts AS c
        SET active = c.active - gone.active, completed = c.completed - gone.completed
        FROM (SELECT user_id, count(*) FILTER (WHERE NOT completed) AS active,
                     count(*) FILTER (WHERE completed) AS completed
              FROM old_rows GROUP BY user_id) AS gone
        WHERE c.user_id = gone.user_id;
    END IF;
    RETURN NULL;
END
$$;

-- A transition table can serve only one event per trigger, hence three.
CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();
CREATE TRIGGER tasks_count_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();
CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_apply();

INSERT INTO task_counts (user_id, active, completed)
SELECT user_id, count(*) FILTER (WHERE NOT completed), count(*) FILTER (WHERE completed)
FROM tasks GROUP BY user_id;
