-- many-hosts: appended to wrk-report.lua by run.sh. Every request names the next of MANY_HOSTS
-- virtual hosts (h0.bench.localhost .. h<N-1>.bench.localhost) in its Host header, so a proxy
-- looks a different host up on nearly every request of a keep-alive connection. Requests are
-- formatted once per thread in init() (a Lua string per request would cost wrk CPU in the
-- measured run); the threads start at different hosts.
local n = tonumber(os.getenv("MANY_HOSTS") or "5000")
local counter = 0
local reqs, i = {}, 0

setup = function(thread)
   thread:set("offset", counter * 7919)   -- a prime: the threads start far apart
   counter = counter + 1
end

init = function(args)
   local headers = {}
   for k, v in pairs(wrk.headers) do headers[k] = v end
   for k = 0, n - 1 do
      headers["Host"] = "h" .. k .. ".bench.localhost"
      reqs[k] = wrk.format(nil, nil, headers)
   end
   i = (offset or 0) % n
end

request = function()
   local r = reqs[i]
   i = (i + 1) % n
   return r
end
