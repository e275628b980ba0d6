-- get.lua - wrk script for the "get" run: GET /api/{user_id}/tasks/{id} over the ids of
-- BENCH_IDS in turn (spread over the user's tasks, so the reads touch the whole table, not one
-- cached row). The URL given to wrk is the tasks collection; the Authorization header comes
-- from wrk's -H.
--   BENCH_IDS=ids.txt wrk -t2 -c64 -d10s --latency -s bench/get.lua -H "Authorization: Bearer $TOKEN" URL
package.path = package.path .. ";bench/?.lua"
local ids = require("ids").load()
local base = nil
local n = 0

function setup(thread)
    n = n + 1
    thread:set("start", n * 97)
end

function request()
    base = base or wrk.path
    start = (start or 0) + 1
    return wrk.format("GET", base .. "/" .. ids[start % #ids + 1])
end
