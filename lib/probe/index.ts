export { createProbeServer, PROBE_DELAY_HEADER, PROBE_BODY_PREFIX, type ProbeServer, type ProbeServerOptions } from './probe-server.js'
export { probePath, type ProbeEnd, type ProbeOutcome, type ProbePathOptions, type ProbeResult } from './probe-path.js'
