import { DEMO_PASSWORD, DEMO_USER } from '../demo/index.js'

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

/** What the quick start prints: where to send a device and what to try. */
export function demoBanner (port: number, adminPort: number): string {
  const base = `http://127.0.0.1:${port}/Microsoft-Server-ActiveSync`
  const q = '?Cmd=Ping&User=demo&DeviceId=DEMO0001&DeviceType=iPhone'
  return [
    '',
    'eas-gateway is running the BUILT-IN DEMO (no --config given): a demo EAS server sits behind it.',
    `  device listener  ${base}`,
    `  admin listener   http://127.0.0.1:${adminPort}/metrics  /healthz  /readyz`,
    '',
    'Try:',
    `  curl -i -X OPTIONS -u ${DEMO_USER}:${DEMO_PASSWORD} '${base}'`,
    `  curl -i -X OPTIONS -u demo:wrong '${base}'        # 401 with Connection: close`,
    '  # a Ping with HeartbeatInterval 10: held 10 s, then answered Status 1',
    `  printf '\\x03\\x01\\x6a\\x00\\x00\\x0d\\x45\\x48\\x0310\\x00\\x01\\x01' | curl -s -u ${DEMO_USER}:${DEMO_PASSWORD} -H 'Content-Type: application/vnd.ms-sync.wbxml' --data-binary @- '${base}${q}' | xxd`,
    `  curl -s http://127.0.0.1:${adminPort}/metrics | grep eas_gateway_requests_total`,
    '',
    'Run your own: gateway serve -c gateway.yaml   (see README § Configuration). Ctrl-C drains and exits.',
    ''
  ].join('\n')
}
