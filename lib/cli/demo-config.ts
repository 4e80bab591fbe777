/**
 * The embedded default config of the quick start: the gateway on 127.0.0.1:8080 in front of the
 * built-in demo EAS server. The demo's heartbeat floor is 5 s so a Ping can be tried in seconds.
 */
export function demoConfigText (demoPort: number): string {
  return `# built-in demo configuration (gateway serve without -c)
listen: { host: 127.0.0.1, port: 8080 }
upstreams:
  - { name: demo, url: "http://127.0.0.1:${demoPort}/" }
server: { minHeartbeat: 5s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 5s }
admin: { listen: { host: 127.0.0.1, port: 9464 } }
log: { level: info }
`
}
