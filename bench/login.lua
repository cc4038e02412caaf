-- POST /api/v1/auth/login with the right password, as many cadres in turn.
-- args: first_cadre_number count password
function init(args)
  first, count, password = tonumber(args[1]), tonumber(args[2]), args[3]
  counter = 0
end

function request()
  counter = counter + 1
  local body = string.format('{"username":"gb%05d","password":"%s"}', first + (counter - 1) % count, password)
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
