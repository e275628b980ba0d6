-- ids.lua - shared by bench/get.lua and bench/complete.lua: the task ids bench/seed.c wrote
-- (BENCH_IDS names the file, one id a line; the bench user's non-recurring tasks spread over
-- all of them), and a request path for the next one, each wrk thread starting elsewhere.
local M = {}

function M.load()
    local path = os.getenv("BENCH_IDS")
    assert(path, "BENCH_IDS must name the file of task ids (bench/seed.c --ids)")
    local ids = {}
    for line in io.lines(path) do
        ids[#ids + 1] = line
    end
    assert(#ids > 0, "no task ids in " .. path)
    return ids
end

return M
