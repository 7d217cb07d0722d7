-- wrk script for bench/readers.py: replays a file of paths (one per line) and counts X-Cache.
-- Usage: wrk ... -s bench/readers.lua http://127.0.0.1:8150/ -- PATHS_FILE
-- Each thread starts at its own place in the sequence; when done, prints
-- "readers: hits=N misses=N other=N" (other: no X-Cache, e.g. a 404 or a redirect).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  index = (id * 7919) % #paths
  hits, misses, other = 0, 0, 0
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function response(status, headers, body)
  local label = headers["X-Cache"]
  if label == "HIT" then
    hits = hits + 1
  elseif label == "MISS" then
    misses = misses + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local h, m, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits")
    m = m + thread:get("misses")
    o = o + thread:get("other")
  end
  io.write(string.format("readers: hits=%d misses=%d other=%d\n", h, m, o))
end
