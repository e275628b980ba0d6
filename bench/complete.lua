-- complete.lua - wrk script for the "complete" run: PATCH /api/{user_id}/tasks/{id}/complete
-- without a body (toggles completion) over the ids of BENCH_IDS in turn, so concurrent
-- requests touch different tasks (none recurring: completing those would add occurrences).
-- The URL given to wrk is the tasks collection; the Authorization header comes from wrk's -H.
--   BENCH_IDS=ids.txt wrk -t2 -c64 -d10s --latency -s bench/complete.lua -H "Authorization: Bearer $TOKEN" URL
package.path = package.path .. ";bench/?.lua"
local ids = require("ids").load()
local base = nil
local n = 0

function setup(thread)
    n = n + 1
    thread:set("start", n * 499)
end

function request()
    base = base or wrk.path
    start = (start or 0) + 1
    return wrk.format("PATCH", base .. "/" .. ids[start % #ids + 1] .. "/complete")
end
