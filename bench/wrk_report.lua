-- Print wrk's figures as one JSON line that bench/run.py reads.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "errors": %d, "p50_us": %d, "p95_us": %d}\n',
    summary.requests, summary.duration / 1e6,
    e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
