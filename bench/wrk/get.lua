-- GET the URL wrk was given (e.g. /health); print the figures as JSON when done.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
done = dofile(here .. "report.lua").done
