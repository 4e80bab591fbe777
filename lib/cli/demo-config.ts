/** Device and admin ports of the quick start. Default: 8080 and 9464 */
export interface DemoPorts { readonly port: number, readonly adminPort: number }

/** The quick start's ports unless `--port` / `--admin-port` say otherwise. */
export const DEMO_PORTS: DemoPorts = { port: 8080, adminPort: 9464 }

/**
 * The embedded default config of the quick start: the gateway on 127.0.0.1 in front of the
 * built-in demo EAS server. The demo's heartbeat floor is 5 s so a Ping can be tried in seconds.
 */
export function demoConfigText (demoPort: number, ports: DemoPorts = DEMO_PORTS): string {
  return `# built-in demo configuration (gateway serve without -c)
listen: { host: 127.0.0.1, port: ${ports.port} }
upstreams:
  - { name: demo, url: "http://127.0.0.1:${demoPort}/" }
server: { minHeartbeat: 5s, maxHeartbeat: 3540s }
timeouts: { easRequestTimeout: 61m, executionTimeout: 62m, drainGrace: 5s }
admin: { listen: { host: 127.0.0.1, port: ${ports.adminPort} } }
log: { level: info }
`
}
