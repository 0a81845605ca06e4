-- GET /api/v1/cards/{number}: a random valid card each time.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function request()
  return wrk.format("GET", "/api/v1/cards/" .. pick(), headers())
end
