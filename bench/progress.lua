-- GET /api/v1/campaigns/{id}/progress/me as many cadres in turn.
-- args: tokens_file campaign_id
function init(args)
  tokens = {}
  for line in io.lines(args[1]) do table.insert(tokens, line) end
  path = "/api/v1/campaigns/" .. args[2] .. "/progress/me"
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[(counter - 1) % #tokens + 1] })
end
