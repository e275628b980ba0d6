-- gzip.lua - wrk script: ask for the gzip representation, as browsers do.
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
