-- Log in: POST /api/login with BENCH_EMAIL / BENCH_PASSWORD (no cookie sent, so
-- every request verifies the password and starts a new session).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local req

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  bench_init()
  local headers = bench_headers(true)
  headers["Cookie"] = nil
  local body = "email=" .. urlencode(os.getenv("BENCH_EMAIL")) ..
    "&password=" .. urlencode(os.getenv("BENCH_PASSWORD"))
  req = wrk.format("POST", "/api/login", headers, body)
end

function request()
  return req
end
