-- POST a corpus of JSON bodies round-robin to the URL wrk was given.
-- Usage: wrk -s bench/wrk/assess.lua http://host:port/v1/assessments -- corpus.ndjson [key]
-- The corpus holds one compact JSON body per line (bench/corpus.py writes it). Each thread starts
-- at a different item so that the threads do not send the same body at the same moment. With a
-- key, every request presents it as callers do: `Authorization: Bearer <key>`.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua").done

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local requests = {}
local count = 0
local next_index = 1

function init(args)
  local path = args[1]
  if path == nil then
    error("assess.lua needs the corpus file: wrk ... -- corpus.ndjson")
  end
  local file = assert(io.open(path, "r"))
  local headers = {["Content-Type"] = "application/json"}
  if args[2] ~= nil and #args[2] > 0 then
    headers["Authorization"] = "Bearer " .. args[2]
  end
  for line in file:lines() do
    if #line > 0 then
      count = count + 1
      requests[count] = wrk.format("POST", nil, headers, line)
    end
  end
  file:close()
  if count == 0 then
    error("no bodies in " .. path)
  end
  next_index = ((id or 0) * 7919) % count + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index % count + 1
  return r
end
