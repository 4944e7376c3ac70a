-- Shared by every wrk scenario in bench/wrk/ (loaded with dofile by each one).
--
-- Counts every response outside 2xx as an error (wrk itself only counts >= 400),
-- and prints one machine-readable line at the end that scripts/bench collects:
--   BENCH_RESULT {"requests":..., "rps":..., "p50_ms":..., ...}
-- Configuration comes from the environment (set by scripts/bench):
--   BENCH_COOKIE  the `session` cookie value for signed-in scenarios (optional)

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
  table.insert(threads, thread)
end

-- Headers the hydrated app sends with its server-function calls.
function bench_headers(post)
  local h = {}
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then
    h["Cookie"] = "session=" .. cookie
  end
  if post then
    h["Content-Type"] = "application/x-www-form-urlencoded"
    h["Accept"] = "application/json"
    h["Sec-Fetch-Site"] = "same-origin"
  else
    h["Accept"] = "text/html"
  end
  return h
end

function bench_init()
  bad = 0
  statuses = {}
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if not first_bad then
      first_bad = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local non2xx = 0
  local sample = ""
  for _, t in ipairs(threads) do
    non2xx = non2xx + (t:get("bad") or 0)
    local fb = t:get("first_bad")
    if fb and sample == "" then sample = fb end
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  sample = string.gsub(sample, '[%c"\\]', " ")
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"non2xx":%d,"socket_errors":%d,"errors":%d,"first_error":"%s"}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
    non2xx, socket, non2xx + socket, sample))
end
