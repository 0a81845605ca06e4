-- Shared by the wrk scripts: card numbers from BENCH_NUMBERS (a file, one a line), a bearer token from
-- BENCH_TOKEN, and a done() that prints one JSON line the harness reads (rate, percentiles, non-2xx).
local numbers = {}
for line in io.lines(os.getenv("BENCH_NUMBERS")) do numbers[#numbers + 1] = line end
local token = os.getenv("BENCH_TOKEN")
local counter = 0
local prefix = ""

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + tid)
  prefix = string.format("wrk%d-%d-%08x", os.time(), tid, math.random(0, 0x7fffffff))
end

function pick()
  return numbers[math.random(1, #numbers)]
end

function fresh_key()
  counter = counter + 1
  return prefix .. "-" .. counter
end

function headers(extra)
  local h = {["Authorization"] = "Bearer " .. token, ["Accept-Language"] = "fi"}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f, ' ..
    '"max_ms": %.2f, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000, e.status, e.connect, e.read,
    e.write, e.timeout))
end
