-- wrk script for `npm run bench`: a Sync-like EAS POST with a 200-byte WBXML-typed body.
-- The URL given to wrk carries the EAS query (Cmd=Sync&User=…&DeviceId=…&DeviceType=…).
-- done() prints one machine-readable line (latencies in microseconds) that bench/run.mjs parses.
wrk.method = "POST"
wrk.body = string.rep("S", 200)
wrk.headers["Content-Type"] = "application/vnd.ms-sync.wbxml"
wrk.headers["MS-ASProtocolVersion"] = "14.1"
wrk.headers["User-Agent"] = "Apple-iPhone/1705.20"
wrk.headers["Authorization"] = "Basic YmVuY2g6YmVuY2g="

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\":%d,\"durationUs\":%d,\"bytes\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"max\":%d,\"mean\":%.1f," ..
    "\"errConnect\":%d,\"errRead\":%d,\"errWrite\":%d,\"errStatus\":%d,\"errTimeout\":%d}\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
