-- POST /api/v1/study-sessions: every request a new, valid session. Each wrk thread
-- uploads for its own cadres, one-minute sessions in two-minute slots, so no two
-- requests overlap and every upload is accepted (any non-2xx shows in wrk's summary).
-- args: tokens_file campaign_id course_id base_epoch threads [seed]
-- (two wrk processes at once need different seeds, or they send the same session ids)
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(args[1]) do table.insert(all, line) end
  campaign, course, base, nthreads = args[2], args[3], tonumber(args[4]), tonumber(args[5])
  mine = {}
  for i = 1, #all do
    if (i - 1) % nthreads == id then table.insert(mine, all[i]) end
  end
  counter = 0
  math.randomseed(os.time() * 1000 + id + (tonumber(args[6]) or 0) * 7919)
end

local function uuid()
  return string.format("%08x-%04x-4%03x-a%03x-%06x%06x",
    math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0, 0xfff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

function request()
  counter = counter + 1
  local who = (counter - 1) % #mine + 1
  local slot = math.floor((counter - 1) / #mine)
  local start = base + slot * 120
  local body = string.format(
    '{"id":"%s","campaign_id":%s,"course_id":%s,"started_at":"%s","ended_at":"%s"}',
    uuid(), campaign, course,
    os.date("!%Y-%m-%dT%H:%M:%SZ", start), os.date("!%Y-%m-%dT%H:%M:%SZ", start + 60))
  return wrk.format("POST", "/api/v1/study-sessions",
    { ["Authorization"] = "Bearer " .. mine[who], ["Content-Type"] = "application/json" }, body)
end
