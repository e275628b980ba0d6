-- create.lua - wrk script for the "create" run: every request POSTs a new task to the URL
-- given on the command line (/api/{user_id}/tasks), with a title, priority, tags and due
-- date that vary from request to request. The Authorization header comes from wrk's -H.
--   wrk -t2 -c64 -d10s --latency -s bench/create.lua -H "Authorization: Bearer $TOKEN" URL

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local priorities = { "none", "low", "medium", "high" }
local tags = { "home", "work", "bills", "errands", "health", "travel" }
local verbs = { "buy", "call", "pay", "fix", "book", "review" }
local things = { "groceries", "rent", "dentist", "report", "tickets", "flowers" }

-- Each wrk thread has its own Lua state: give each a number so titles stay distinct.
local n_threads = 0
function setup(thread)
    thread:set("tid", n_threads)
    n_threads = n_threads + 1
end

local counter = 0
function request()
    counter = counter + 1
    local i = counter
    local due = ""
    if i % 3 ~= 0 then
        -- a due date in 2030, varying by day and hour
        due = string.format(',"due_at":"2030-%02d-%02dT%02d:00:00Z"', i % 12 + 1, i % 28 + 1, i % 24)
    end
    local body = string.format(
        '{"title":"%s %s bench %d-%d","priority":"%s","tags":["%s","bench"]%s}',
        verbs[i % #verbs + 1], things[i % #things + 1], tid or 0, i,
        priorities[i % #priorities + 1], tags[i % #tags + 1], due)
    return wrk.format(nil, nil, nil, body)
end
