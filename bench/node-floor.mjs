// Reference row of `npm run bench`: the smallest undici-based proxy of the planning notes
// (notes/engine.md §4, "undici dispatch lean"): node:http server, small body buffered, one
// handler object per request, Pool.dispatch, hop-by-hop headers stripped, upstream request
// aborted when the device goes away. No logs, no metrics, no EAS parsing, no policy. It shows what
// Node + undici cost on this machine, so the gateway's own share can be read off the table.
// Usage: node bench/node-floor.mjs PORT UPSTREAM_PORT
//
// FLOOR_WITH=features (after `npm run build`): the same floor plus the gateway's own code for the
// features issue #14 says must stay, nothing else: the request context (EAS query, Basic user,
// request id), the request metrics (in flight, upstream duration, responses) and the outcome
// recorder (requests, duration and the one access line at info, to stdout through the gateway's
// log destination; FLOOR_LOG_LEVEL=silent: without the line). `bench/ab.mjs floor floor+features`
// prices them on top of bare Node.
//
// FLOOR_UPSTREAM=h2 (UPSTREAM_PORT speaking h2c): every request an HTTP/2 stream from node:http2,
// at most 128 streams per session, as the gateway's `upstreams[].http2` opens them. No features.
// It shows what Node itself keeps per held Ping with one socket (the device's) and one stream.
import { createServer } from 'node:http'
import { connect as connectH2, constants as H2 } from 'node:http2'
import { Pool } from 'undici'

const [port, upPort] = process.argv.slice(2).map(Number)
const pool = new Pool(`http://127.0.0.1:${upPort}`, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 })
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host'])

const features = process.env.FLOOR_WITH === 'features' ? await loadFeatures() : undefined

async function loadFeatures () {
  const lib = new URL('../dist/lib/', import.meta.url)
  const { Registry } = await import('prom-client')
  const { createLogDestination, createLogger } = await import(new URL('log/index.js', lib).href)
  const { createMetrics } = await import(new URL('metrics/index.js', lib).href)
  const { createRequestContext } = await import(new URL('proxy/request-context.js', lib).href)
  const { createRequestMetrics } = await import(new URL('proxy/request-metrics.js', lib).href)
  const { createOutcomeRecorder } = await import(new URL('proxy/outcome-recorder.js', lib).href)
  const { contextParsers } = await import(new URL('cli/parsers.js', lib).href)
  const destination = createLogDestination({})
  const metrics = createMetrics(new Registry(), { version: 'floor', logLinesDropped: () => destination.dropped })
  const prefix = Date.now().toString(36)
  let seq = 0
  return {
    context: (req) => createRequestContext(req, `${prefix}-${(++seq).toString(36)}`, contextParsers),
    children: createRequestMetrics(metrics),
    record: createOutcomeRecorder(metrics, createLogger({ level: process.env.FLOOR_LOG_LEVEL || 'info', destination }))
  }
}

/** Sessions to the upstream with their open streams; a new one when all have 128. */
const sessions = []
function h2Session () {
  for (const x of sessions) if (x.open < 128 && !x.session.destroyed) return x
  const x = { session: connectH2(`http://127.0.0.1:${upPort}`), open: 0 }
  x.session.on('error', () => {})
  x.session.on('close', () => { const i = sessions.indexOf(x); if (i >= 0) sessions.splice(i, 1) })
  sessions.push(x)
  return x
}

function forwardH2 (req, res, body) {
  const headers = { ':method': req.method, ':path': req.url }
  const raw = req.rawHeaders
  for (let i = 0; i < raw.length; i += 2) { const k = raw[i].toLowerCase(); if (!HOP.has(k)) headers[k] = raw[i + 1] }
  const x = h2Session()
  x.open++
  const stream = x.session.request(headers)
  stream.on('close', () => { x.open-- })
  stream.on('error', () => { if (!res.headersSent) { res.writeHead(502, { 'content-length': '0', connection: 'close' }); res.end() } else res.destroy() })
  stream.on('response', (h) => {
    const out = {}
    for (const k in h) if (k[0] !== ':' && !HOP.has(k)) out[k] = h[k]
    res.writeHead(h[':status'], out)
  })
  stream.on('data', (chunk) => { if (!res.write(chunk)) { stream.pause(); res.once('drain', () => stream.resume()) } })
  stream.on('end', () => { res.end() })
  res.on('close', () => { if (!res.writableFinished) stream.close(H2.NGHTTP2_CANCEL) })
  stream.end(body)
}

const h2 = process.env.FLOOR_UPSTREAM === 'h2'

createServer((req, res) => {
  if (h2) {
    const chunks = []
    req.on('data', (c) => { chunks.push(c) })
    req.on('end', () => { forwardH2(req, res, Buffer.concat(chunks)) })
    return
  }
  // Without features, nothing here but two integer counters: the bare floor stays bare.
  const started = features === undefined ? 0 : performance.now()
  const ctx = features?.context(req)
  if (ctx !== undefined) features.children.inFlight(ctx.commandLabel).inc()
  let upstreamStarted = 0
  let upstreamMs
  let bytesIn = 0
  let bytesOut = 0
  const chunks = []
  req.on('data', (c) => { chunks.push(c); bytesIn += c.length })
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
    if (features !== undefined) upstreamStarted = performance.now()
    pool.dispatch({ path: req.url, method: req.method, headers, body: Buffer.concat(chunks) }, {
      onRequestStart (c) { controller = c; if (gone !== undefined) c.abort(gone) },
      onResponseStart (c, status, h) {
        if (ctx !== undefined) {
          upstreamMs = performance.now() - upstreamStarted
          features.children.upstreamDuration(ctx.commandLabel, 'bench').observe(upstreamMs / 1000)
          features.children.responses(ctx.commandLabel, status).inc()
        }
        const out = {}
        for (const k in h) if (!HOP.has(k)) out[k] = h[k]
        res.writeHead(status, out)
      },
      onResponseData (c, chunk) { bytesOut += chunk.length; if (!res.write(chunk)) { c.pause(); res.once('drain', () => c.resume()) } },
      onResponseEnd () {
        res.end()
        if (ctx !== undefined) {
          features.record({ ctx, outcome: 'completed', status: res.statusCode, durationMs: performance.now() - started, upstreamMs, upstream: 'bench', reason: undefined, code: undefined, errCode: undefined, heartbeat: undefined, bytesIn, bytesOut, connectFailures: undefined })
        }
      },
      onResponseError () { if (!res.headersSent) { res.writeHead(502, { 'content-length': '0', connection: 'close' }); res.end() } else res.destroy() }
    })
  })
}).listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0)) // a clean exit, so that --cpu-prof writes its profile
