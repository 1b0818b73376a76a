-- wrk script: POST one fixed body read from a file, with its content type and, for
-- Triton's binary tensor data extension, its Inference-Header-Content-Length.
-- Usage: wrk ... -s bench/v2_post.lua URL -- BODY_FILE CONTENT_TYPE [HEADER_LENGTH]
-- Last line, as ../shared/bench/multipart_post.lua prints it:
--   rps=<float> p50_ms=<float> p99_ms=<float> errors=<int>
-- where errors = non-2xx responses + socket errors.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = args[2]
  if args[3] then
    wrk.headers["Inference-Header-Content-Length"] = args[3]
  end
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (tonumber(t:get("non2xx")) or 0)
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local rps = 0
  if seconds > 0 then rps = summary.requests / seconds end
  io.write(string.format("rps=%.2f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    rps, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad + e.connect + e.read + e.write + e.timeout))
end
