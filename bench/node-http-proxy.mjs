// Reference row of `npm run bench`: node-http-proxy (the `http-proxy` package), the proxy a Node
// user reaches for first, as its README configures it for a plain reverse proxy: one keep-alive
// agent to the upstream, no logs, metrics, EAS parsing or policy.
// Usage: node bench/node-http-proxy.mjs PORT UPSTREAM_PORT
import { Agent, createServer } from 'node:http'
import httpProxy from 'http-proxy'

const [port, upPort] = process.argv.slice(2).map(Number)
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 60_000 })
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${upPort}`, agent, xfwd: true, proxyTimeout: 0 })
proxy.on('error', (_err, _req, res) => {
  if (typeof res.writeHead === 'function' && !res.headersSent) { res.writeHead(502, { 'content-length': '0', connection: 'close' }); res.end() } else res.destroy?.()
})
createServer((req, res) => { proxy.web(req, res) }).listen(port, '127.0.0.1')
