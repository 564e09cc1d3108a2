-- wrk script: one request (method, headers and body from the environment, prepared by bench/run),
-- and a JSON line of results at the end. With BENCH_TOKENS (a file of one token per line), each
-- request's body is BENCH_BODY followed by the next token, so no two requests in a row share one.
-- BENCH_PAUSE_MS: see below.
wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.body = os.getenv("BENCH_BODY")
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

local tokens, next_token = nil, 1
local tokens_file = os.getenv("BENCH_TOKENS")
if tokens_file and tokens_file ~= "" then
  tokens = {}
  for t in io.lines(tokens_file) do tokens[#tokens + 1] = t end
  request = function()
    if next_token == 1 and start then next_token, start = start % #tokens + 1, nil end -- each thread its own place
    next_token = next_token % #tokens + 1
    return wrk.format(nil, nil, nil, wrk.body .. tokens[next_token])
  end
end

-- With BENCH_PAUSE_MS, each connection waits that many milliseconds (wrk counts whole ones) after
-- each answer before its next request: a paced load, e.g. for "p99 at half of peak".
local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "")
if pause and pause > 0 then
  delay = function() return pause end
end

local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("start", threads * 5003)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
