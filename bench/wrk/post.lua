-- wrk script: POST a check-in body with one patient's device token per request.
-- Arguments after `--`: a file of device tokens (one a line) and a mode:
--   cycle  go round the tokens (edits of today's check-in, or the no-op)
--   once   use each token once (first check-in of the day); a thread that runs out
--          stops and says so, and the run is reported as exhausted.
-- done() prints one line of JSON: requests, failed (socket errors + non-2xx/3xx),
-- seconds, p99_ms, exhausted.

local threads = {}
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

local tokens = {}
local mode = "cycle"
local index = 0
local sent = 0
local salt = 0

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = line
  end
  mode = args[2]
  index = id
  exhausted = 0
  math.randomseed(os.time() * 1000 + id)
  salt = math.random(0, 0x7fffffff)
end

local function key()
  sent = sent + 1
  return string.format("%08x-%04x-4000-8000-%012x", salt, id, sent)
end

function request()
  local i = index
  index = index + count_threads()
  if i >= #tokens then
    if mode == "once" then
      exhausted = 1
      wrk.thread:stop()
    end
    i = i % #tokens
  end
  local body = string.format(
    '{"idempotency_key":"%s","craving":3,"mood":4,"sleep_hours":"7.0",' ..
    '"sleep_quality":4,"stress":3,"safety_concern":false}', key())
  local headers = {}
  headers["Authorization"] = "Bearer " .. tokens[i + 1]
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, body)
end

function count_threads()
  return 2 -- bench/common.py runs wrk with -t 2
end

function done(summary, latency, requests)
  local ran_out = 0
  for _, thread in ipairs(threads) do
    ran_out = ran_out + (thread:get("exhausted") or 0)
  end
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    '{"requests":%d,"failed":%d,"seconds":%.3f,"p99_ms":%.2f,"exhausted":%d}\n',
    summary.requests, failed, summary.duration / 1e6, latency:percentile(99) / 1000, ran_out))
end
