// Reference row of `npm run bench`: the smallest undici-based proxy of the planning notes
// (notes/engine.md §4, "undici dispatch lean"): node:http server, small body buffered, one
// handler object per request, Pool.dispatch, hop-by-hop headers stripped, upstream request
// aborted when the device goes away. No logs, no metrics, no EAS parsing, no policy. It shows what
// Node + undici cost on this machine, so the gateway's own share can be read off the table.
// Usage: node bench/node-floor.mjs PORT UPSTREAM_PORT
import { createServer } from 'node:http'
import { Pool } from 'undici'

const [port, upPort] = process.argv.slice(2).map(Number)
const pool = new Pool(`http://127.0.0.1:${upPort}`, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 })
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host'])

createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const headers = []
    const raw = req.rawHeaders
    for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1])
    let controller
    let gone
    res.on('close', () => {
      if (res.writableFinished) return
      gone = new Error('device went away')
      controller?.abort(gone)
    })
    pool.dispatch({ path: req.url, method: req.method, headers, body: Buffer.concat(chunks) }, {
      onRequestStart (c) { controller = c; if (gone !== undefined) c.abort(gone) },
      onResponseStart (c, status, h) {
        const out = {}
        for (const k in h) if (!HOP.has(k)) out[k] = h[k]
        res.writeHead(status, out)
      },
      onResponseData (c, chunk) { if (!res.write(chunk)) { c.pause(); res.once('drain', () => c.resume()) } },
      onResponseEnd () { res.end() },
      onResponseError () { if (!res.headersSent) { res.writeHead(502, { 'content-length': '0', connection: 'close' }); res.end() } else res.destroy() }
    })
  })
}).listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0)) // a clean exit, so that --cpu-prof writes its profile
