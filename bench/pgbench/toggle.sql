-- POST /api/tasks/set-completed: session, person, the UPDATE (src/tasks/ssr.rs
-- `set_completed`) on a random task of the person with a random state, as
-- bench/wrk/toggle.lua does. Ids :lo..:hi come from scripts/bench.
\set id random(:lo, :hi)
\set c random(0, 1)
SELECT data, expires_at FROM sessions WHERE id = :sid AND expires_at > now();
SELECT id, name, email FROM users WHERE id = :uid AND is_active;
UPDATE tasks SET completed = (:c = 1) WHERE id = :id AND user_id = :uid;
