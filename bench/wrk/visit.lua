-- POST /api/v1/visits: a random valid card at the benchmark venue's offering, with a fresh Idempotency-Key.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local offering = os.getenv("BENCH_OFFERING")

function request()
  local body = '{"card_number": "' .. pick() .. '", "offering_id": ' .. offering .. '}'
  return wrk.format("POST", "/api/v1/visits",
                    headers({["Content-Type"] = "application/json", ["Idempotency-Key"] = fresh_key()}), body)
end
