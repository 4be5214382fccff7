-- wrk script: the create-then-delete mix. Every request is one operation:
-- POST /openapi/environments creates test environment N, and later a
-- DELETE removes it. Deletes trail creates by LAG environments, more than
-- wrk can have in flight (one request per connection), so an environment
-- is always created before its delete is sent.
--   wrk ... -s create_delete.lua http://HOST -- PREFIX
-- PREFIX keeps names unique across runs against the same server. Use one
-- wrk thread (-t1): each thread counts on its own.

local LAG = 256
local prefix = "b"
local step, created, deleted = 0, 0, 0
local headers = { ["Content-Type"] = "application/json" }

init = function(args)
  if args[1] then prefix = args[1] end
  -- wrk.format replaces wrk.headers (the -H flags) with the table it gets.
  for k, v in pairs(wrk.headers) do headers[k] = v end
end

local function name(n)
  return string.format("%sx%d", prefix, n)
end

local function create(env)
  local body = string.format(
    '{"env_key":"%s","cluster_id":"0123456789abcdef12345678","namespace":"simple-demo-env-%s",'
      .. '"registry_id":"630c7ad700430c131062e245","services":[{"service_name":"service2"}]}', env, env)
  return wrk.format("POST", "/openapi/environments?projectKey=simple-demo", headers, body)
end

-- wrk 4.1 calls request() once before the run and may discard the result,
-- so the first call creates a spare environment that nothing depends on.
local first = true

-- LAG creates first, then delete and create in turn.
request = function()
  if first then
    first = false
    return create(name(0))
  end
  step = step + 1
  if created < LAG or step % 2 == 0 then
    created = created + 1
    return create(name(created))
  end
  deleted = deleted + 1
  return wrk.format("DELETE", "/openapi/environments/" .. name(deleted) .. "?projectKey=simple-demo&isDelete=true", headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d bytes=%d errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50), latency:percentile(99), summary.bytes,
    e.connect + e.read + e.write + e.status + e.timeout))
end
