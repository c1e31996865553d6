-- The load benchmark's visitors in wrk (classifieds/bench/load.py runs it; not a test).
--
--   wrk -t C -c C -d 30s -s load.lua http://127.0.0.1:PORT -- URLS_FILE C
--
-- One connection per wrk thread, so each thread's requests and responses alternate and every answer
-- is attributed to the page that asked for it. URLS_FILE has one "kind<TAB>path" line per visit;
-- thread i walks it from its own offset with a stride of 7, as the Python visitors do. Thread i
-- writes a "kind<TAB>microseconds<TAB>hit<TAB>status" line per answer to BOZOR_WRK_OUT/i.tsv, and
-- done() the failures that had no answer to BOZOR_WRK_OUT/transport, for load.py to report.
-- (Files, not thread:get: wrk 4.1 crashes copying a table of tables between environments.)

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } bozor_timespec;
  int clock_gettime(int clock, bozor_timespec *now);
]])
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bozor_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

-- Setup and done run in one environment of their own; setup numbers the threads.
local created = 0

function setup(thread)
  thread:set("number", created)
  created = created + 1
end

-- Running: each thread's own environment.
local paths, kinds, requests = {}, {}, {}
local position, started = 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local kind, path = line:match("^(%S+)\t(%S+)$")
    if kind then
      kinds[#kinds + 1] = kind
      paths[#paths + 1] = path
    end
  end
  local visitors = tonumber(args[2])
  position = (number * math.floor(#paths / visitors)) % #paths
  -- wrk.format takes these headers instead of wrk's own (-H), not besides them: merge.
  local headers = { ["Accept-Encoding"] = "gzip" }
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path, headers)
  end
  out = assert(io.open(os.getenv("BOZOR_WRK_OUT") .. "/" .. number .. ".tsv", "w"))
  current = 1
end

function request()
  current = position + 1
  position = (position + 7) % #paths
  started = now_us()
  return requests[current]
end

function response(status, headers, body)
  local hit = (headers["X-Page-Cache"] == "hit") and "1" or "0"
  out:write(kinds[current], "\t", string.format("%.0f", now_us() - started), "\t", hit, "\t", status, "\n")
end

function done(summary, latency, requests)
  -- The threads' files are flushed when wrk exits, right after this.
  local errors = summary.errors
  local failures = assert(io.open(os.getenv("BOZOR_WRK_OUT") .. "/transport", "w"))
  failures:write(errors.connect + errors.read + errors.write + errors.timeout, "\n")
  failures:close()
end
