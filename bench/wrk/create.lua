-- Create a task: POST /api/tasks/create, encoded as the hydrated app sends it.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers
local n = 0

function init(args)
  bench_init()
  headers = bench_headers(true)
end

function request()
  n = n + 1
  local body = "title=Bench+task+" .. thread_id .. "-" .. n .. "&description="
  return wrk.format("POST", "/api/tasks/create", headers, body)
end
