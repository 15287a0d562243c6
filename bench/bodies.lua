-- wrk script: POST many different valid bodies in rotation; optionally at a fixed rate.
--   BODIES=file  one request a line: "<path>\t<json body>" (written by bench/common.py)
--   RATE=n       requests per second in total (use with -t1); unset or 0: as fast as possible
-- The rate limiter is a global schedule: request k is due at start + k/RATE; delay() returns
-- the milliseconds until the next due slot (wrk's delay() has 1 ms resolution, so requests
-- leave in small bursts within each millisecond). A request whose slot has passed leaves at
-- once, so a server that falls behind sees the backlog, not a politely slower client.
local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local requests = {}
local index = 0

function init(args)
  local file = os.getenv("BODIES") or "artifacts/bench-bodies.txt"
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(file) do
    local path, body = line:match("^(%S+)\t(.*)$")
    if path then
      requests[#requests + 1] = wrk.format("POST", path, headers, body)
    end
  end
  if #requests == 0 then
    error("no requests in " .. file)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end

local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local interval = 1000 / rate
  local next_due = nil
  function delay()
    local now = now_ms()
    if next_due == nil then
      next_due = now
    end
    local due = next_due
    next_due = next_due + interval
    local wait = due - now
    if wait < 1 then
      return 0
    end
    return math.floor(wait)
  end
end
