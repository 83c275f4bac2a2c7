-- Shared by the benchmark scripts: done() prints wrk's figures as one JSON line on stdout.
-- Latencies are in microseconds, as wrk measures them; bench/load.py reads the BENCH_JSON line.
local report = {}

function report.done(summary, latency, requests)
  local errors = summary.errors
  local parts = {}
  for _, p in ipairs({50, 75, 90, 99, 99.9}) do
    parts[#parts + 1] = string.format('"p%s":%d', tostring(p):gsub("%.", "_"), latency:percentile(p))
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{%s,"mean":%.1f,"stdev":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    table.concat(parts, ","), latency.mean, latency.stdev, latency.max))
end

return report
