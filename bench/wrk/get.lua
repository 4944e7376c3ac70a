-- GET BENCH_PATH (default /), with the session cookie when BENCH_COOKIE is set:
-- the server-rendered pages and /healthz.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req

function init(args)
  bench_init()
  req = wrk.format("GET", os.getenv("BENCH_PATH") or "/", bench_headers(false))
end

function request()
  return req
end
