-- wrk script: single-event /track requests spread over 10,000 profiles, like
-- `tracflow bench`. Usage:
--   wrk -t2 -c32 -d20s -s scripts/track.lua http://127.0.0.1:8686/track
-- The source id comes from the SOURCE environment variable (default
-- demo-source).
local source = os.getenv("SOURCE") or "demo-source"
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local p = math.random(0, 9999)
  local body = string.format(
    '{"source":{"id":"%s"},"profile":{"id":"wrk-profile-%d"},"session":{"id":"wrk-session-%d"},"events":[{"type":"page-view","properties":{"url":"https://example.com/p/%d"}}]}',
    source, p, p, p % 100)
  return wrk.format(nil, nil, nil, body)
end

local failures = 0
response = function(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("non-200 answers: %d\n", summary.errors.status))
  io.write(string.format("p50 %.2fms  p99 %.2fms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
