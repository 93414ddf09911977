-- Cycles through the signed-in requests in bench/load-requests.txt
-- (lines: "<session cookie>\t<path>") and counts every answer that is not 200.
local requests = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    table.insert(requests, wrk.format("GET", path, {
      ["Cookie"] = cookie,
      ["X-Forwarded-Proto"] = "https",
      ["Host"] = "localhost",
    }))
  end
  counter = math.random(#requests)
  errors = 0
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests_done)
  local errors = 0
  for _, thread in ipairs(threads) do
    errors = errors + thread:get("errors")
  end
  io.write(string.format("RESULT requests=%d seconds=%.2f p50_ms=%.1f p95_ms=%.1f errors=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
