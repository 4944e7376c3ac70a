-- Toggle a task: POST /api/tasks/set-completed with a random task of the signed-in
-- person (ids BENCH_TASK_LO..BENCH_TASK_HI) and a random state, as the UI sends it.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers, lo, hi

function init(args)
  bench_init()
  headers = bench_headers(true)
  lo = tonumber(os.getenv("BENCH_TASK_LO"))
  hi = tonumber(os.getenv("BENCH_TASK_HI"))
end

function request()
  local id = math.random(lo, hi)
  local completed = (math.random(0, 1) == 1) and "true" or "false"
  return wrk.format("POST", "/api/tasks/set-completed", headers,
    "id=" .. id .. "&completed=" .. completed)
end
