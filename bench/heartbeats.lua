-- POST /api/v1/study-sessions/live/{id}/heartbeat, each connection going round its share
-- of the live sessions, paced: every connection waits `delay_ms` between requests, so
-- the rate is about connections * 1000 / (delay_ms + latency).
-- args: sessions_file ("token id" lines) delay_ms threads
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[3])
  pause = tonumber(args[2])
  mine = {}
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local token, sid = line:match("^(%S+) (%S+)$")
      table.insert(mine, { token = token, id = sid })
    end
    i = i + 1
  end
  counter = 0
end

function delay()
  return pause
end

function request()
  counter = counter + 1
  local s = mine[(counter - 1) % #mine + 1]
  return wrk.format("POST", "/api/v1/study-sessions/live/" .. s.id .. "/heartbeat",
    { ["Authorization"] = "Bearer " .. s.token, ["Content-Type"] = "application/json" },
    '{"visible":true,"playback_rate":1}')
end
