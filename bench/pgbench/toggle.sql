-- POST /api/tasks/set-completed: session with person, the UPDATE (src/tasks/ssr/repo.rs
-- `set_completed`) on a random task of the person with a random state, as
-- bench/wrk/toggle.lua does. Ids :lo..:hi come from scripts/bench.
\set id random(:lo, :hi)
\set c random(0, 1)
SELECT s.data, s.expires_at, u.id, u.name, u.email FROM sessions AS s
 LEFT JOIN users AS u ON u.id = s.user_id AND u.is_active
 WHERE s.id = :sid AND s.expires_at > now();
UPDATE tasks SET completed = (:c = 1) WHERE id = :id AND user_id = :uid;
