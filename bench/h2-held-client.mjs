/* global gc */
// Issue #14 probe (not part of npm run bench): N held POSTs through an undici Pool, h1 (one
// connection each) or h2c (CONNS connections, idempotent: true); prints RSS, heap and fds per held request.
// Usage: CONNS=16 node --expose-gc bench/h2-held-client.mjs h1|h2 PORT N
import { Pool, buildConnector } from 'undici'
import { readdirSync } from 'node:fs'
const [mode, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])]
const h2 = mode === 'h2'
const pool = new Pool(`http://127.0.0.1:${port}`, { connections: null, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0, ...(h2 ? { allowH2: true, pipelining: 100, connections: Number(process.env.CONNS ?? 64), connect: buildConnector({ allowH2: true, useH2c: true }) } : {}) })
const fds = () => readdirSync('/proc/self/fd').length
gc(); await new Promise((resolve) => setTimeout(resolve, 200)); gc()
const base = { rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed, fds: fds() }
let started = 0; let errors = 0; let ended = 0
const body = Buffer.alloc(60, 1)
for (let i = 0; i < n; i++) {
  pool.dispatch({ path: `/Microsoft-Server-ActiveSync?Cmd=Ping&DeviceId=D${i}`, method: 'POST', ...(h2 ? { idempotent: true } : {}), headers: ['content-type', 'application/vnd.ms-sync.wbxml', 'authorization', 'Basic YTpi', 'user-agent', 'Apple-iPhone/1705.20'], body }, {
    onRequestStart () { started++ }, onResponseStart () {}, onResponseData () {}, onResponseEnd () { ended++ }, onResponseError (c, e) { errors++; if (errors < 3) console.error(e.message) }
  })
}
await new Promise((resolve) => setTimeout(resolve, 3000))
gc(); await new Promise((resolve) => setTimeout(resolve, 200)); gc()
const m = process.memoryUsage()
const st = pool.stats
console.log(JSON.stringify({ mode, n, started, errors, ended, connected: st.connected, running: st.running, pending: st.pending, rssKiB: ((m.rss - base.rss) / 1024 / n).toFixed(2), heapKiB: ((m.heapUsed - base.heap) / 1024 / n).toFixed(2), fdsPer: ((fds() - base.fds) / n).toFixed(3) }))
process.exit(0)
