// Issue #14 probe (not part of npm run bench): 10 held h2c POSTs on one undici session, then the
// server resets one stream (reset), sends GOAWAY (goaway) or destroys the session (destroy); prints
// what reached the server (a replay would show a count of 2) and what undici reported.
// Usage: node bench/h2-stream-faults.mjs reset|goaway|destroy
import http2 from 'node:http2'
import { Pool, buildConnector } from 'undici'
const arrivals = new Map(); const sessions = new Set()
const streams = new Map()
const server = http2.createServer((req, res) => { const id = req.url; arrivals.set(id, (arrivals.get(id) ?? 0) + 1); streams.set(id, req.stream); req.resume() })
server.on('session', (s) => sessions.add(s))
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const pool = new Pool(`http://127.0.0.1:${server.address().port}`, { allowH2: true, pipelining: 100, connections: 1, connect: buildConnector({ allowH2: true, useH2c: true }), headersTimeout: 0, bodyTimeout: 0 })
const results = []
const mode = process.argv[2]
for (let i = 0; i < 10; i++) {
  pool.dispatch({ path: `/p${i}`, method: 'POST', idempotent: true, body: Buffer.from('x') }, {
    onRequestStart () {}, onResponseStart (c, s) { results.push([i, 'status', s]) }, onResponseData () {}, onResponseEnd () { results.push([i, 'end']) }, onResponseError (c, e) { results.push([i, 'error', e.code ?? e.message]) }
  })
}
await new Promise((resolve) => setTimeout(resolve, 500))
console.log('arrivals before', [...arrivals.values()].reduce((a, b) => a + b, 0))
for (const s of sessions) { if (mode === 'destroy') s.destroy(); else if (mode === 'reset') { streams.get('/p3').close(http2.constants.NGHTTP2_INTERNAL_ERROR) } else s.goaway(0, 10) }
await new Promise((resolve) => setTimeout(resolve, 500))
pool.dispatch({ path: '/after', method: 'POST', idempotent: true, body: Buffer.from('x') }, { onRequestStart () {}, onResponseStart () {}, onResponseData () {}, onResponseEnd () {}, onResponseError (c, e) { results.push(['after', 'error', e.code]) } })
await new Promise((resolve) => setTimeout(resolve, 500))
console.log('sessions seen', sessions.size, 'held streams open', [...streams.values()].filter((s) => !s.closed).length)
console.log('arrivals after', JSON.stringify(Object.fromEntries(arrivals)))
console.log('results', JSON.stringify(results))
process.exit(0)
