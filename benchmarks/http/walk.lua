-- wrk script: walk a file of request paths, so each request asks for a different address.
--
-- Environment:
--   WRK_PATHS   file with one request path per line (required), e.g. /api/v1/regions/kyiv/outages?building_id=7
--   WRK_RATE    total requests per second to aim at across all connections; unset means as fast as possible
--   WRK_CONNECTIONS  the -c value of the run, needed with WRK_RATE to spread the rate over connections
--
-- Each thread starts at its own point in the list and wraps around. The done() hook prints one
-- line that starts with "RESULT" and holds key=value pairs, for run.sh to parse.

local paths = {}
local path_file = os.getenv("WRK_PATHS")
if path_file == nil then
  error("WRK_PATHS is not set: point it at a file with one request path per line")
end
for line in io.lines(path_file) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end
if #paths == 0 then
  error("no request paths in " .. path_file)
end

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local position = 0
local rate = tonumber(os.getenv("WRK_RATE") or "")
local connections = tonumber(os.getenv("WRK_CONNECTIONS") or "")

function init(args)
  -- Start each thread at its own random point, so threads do not ask for the same paths together.
  math.randomseed(thread_number * 7919)
  position = math.random(#paths) - 1
end

-- With a target rate, each connection pauses between its requests so that all connections
-- together send about WRK_RATE requests per second. The pause does not count the response
-- time, so the rate reached is a little lower than the target; run.sh prints the rate reached.
if rate ~= nil and rate > 0 then
  if connections == nil then
    error("WRK_RATE needs WRK_CONNECTIONS, the -c value of the run")
  end
  local pause_ms = math.floor(1000 * connections / rate)
  function delay()
    return pause_ms
  end
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local failed = errors.connect + errors.read + errors.write + errors.timeout + errors.status
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f failed=%d non_2xx=%d\n",
    summary.requests,
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(90) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    failed,
    errors.status
  ))
end
