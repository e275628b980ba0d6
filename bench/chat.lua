-- chat.lua - wrk script for the assistant's chat round trip (bench/assistant.sh): every
-- request POSTs one message to /api/{user_id}/chat (the URL on the command line), a new
-- conversation each time, in built-in mode. The messages cycle through an add with a date,
-- time, repeat and tag, a list, a filtered list and help, so the parser, the tools and the
-- store all take part. The Authorization header comes from wrk's -H.
--   wrk -t2 -c64 -d10s --latency -s bench/chat.lua -H "Authorization: Bearer $TOKEN" URL

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local messages = {
    "remind me to pay rent on the 1st of every month #bills",
    "what's due today?",
    "call the dentist tomorrow at 5pm, high priority",
    "show my high priority tasks",
    "standup every weekday at 9:30 #work",
    "help",
}

local n_threads = 0
function setup(thread)
    thread:set("tid", n_threads)
    n_threads = n_threads + 1
end

local counter = 0
function request()
    counter = counter + 1
    local i = counter + (tid or 0)
    local body = string.format('{"message":"%s"}', messages[i % #messages + 1])
    return wrk.format(nil, nil, nil, body)
end
