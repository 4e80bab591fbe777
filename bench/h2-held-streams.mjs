/* global gc */
// Issue #14 probe (not part of npm run bench): what one held HTTP/2 stream costs a node:http2
// client, the "(b) upstream stream" share of a held Ping with upstreams[].http2. Holds N Ping
// streams on bench/upstream.mjs's h2c port (128 streams per session, as the gateway would) with
// a minimal handler (PER_SESSION=n: streams per session, below the server's limit), and prints RSS, heap used, V8 heap committed and external per held stream
// (after two forced GCs at both ends); heap committed is without the young generation (shown
// apart: it grows with the ramp's garbage, a fixed amount); native = RSS minus both (a lower bound
// when the young generation's growth is not all resident).
// Usage: node --expose-gc bench/h2-held-streams.mjs H2PORT N [--drop-sent-headers]
import { connect } from 'node:http2'
import { getHeapSpaceStatistics } from 'node:v8'
const [port, n] = [Number(process.argv[2]), Number(process.argv[3])]
const drop = process.argv.includes('--drop-sent-headers')
const PER_SESSION = Number(process.env.PER_SESSION ?? 128)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const committed = () => getHeapSpaceStatistics().reduce((a, s) => a + (s.space_name === 'new_space' ? 0 : s.space_size), 0)
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0
const measure = async () => { gc(); await sleep(200); gc(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed, committed: committed(), young: young(), external: m.external } }
const body = Buffer.from([0x03, 0x01, 0x6a, 0x00, 0x00, 0x0d, 0x45, 0x48, 0x03, 0x36, 0x30, 0x30, 0x00, 0x01, 0x01])
// Warm-up: one session, a few streams answered (code compiled, node:http2 loaded).
const warm = connect(`http://127.0.0.1:${port}`)
for (let i = 0; i < 20; i++) await new Promise((resolve) => { const s = warm.request({ ':method': 'POST', ':path': '/Microsoft-Server-ActiveSync?Cmd=Sync' }); s.on('data', () => {}); s.on('close', resolve); s.end(body) })
warm.close()
const base = await measure()
const sessions = []
let open = 0
for (let i = 0; i < n; i++) {
  if (i % PER_SESSION === 0) sessions.push(connect(`http://127.0.0.1:${port}`))
  const s = sessions.at(-1).request({ ':method': 'POST', ':path': `/Microsoft-Server-ActiveSync?Cmd=Ping&User=bench&DeviceId=HOLD${i}&DeviceType=iPhone`, ':scheme': 'http', ':authority': `127.0.0.1:${port}`, authorization: 'Basic YmVuY2g6YmVuY2g=', 'ms-asprotocolversion': '14.1', 'user-agent': 'Apple-iPhone/1705.20', 'content-type': 'application/vnd.ms-sync.wbxml', 'content-length': String(body.length), 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-request-id': `0123456789abcdef${i}` })
  if (drop) { const k = Object.getOwnPropertySymbols(s).find((x) => x.description === 'sent-headers'); if (k !== undefined) s[k] = undefined }
  s.on('response', () => {}); s.on('data', () => {}); s.on('error', () => {}); s.on('close', () => { open-- })
  open++
  s.end(body)
  if (i % 250 === 249) await sleep(20)
}
await sleep(2000)
const m = await measure()
const kib = (a, b) => ((a - b) / 1024 / n).toFixed(2)
console.log(JSON.stringify({ n, open, sessions: sessions.length, dropSentHeaders: drop, rssKiB: kib(m.rss, base.rss), heapUsedKiB: kib(m.heap, base.heap), heapCommittedKiB: kib(m.committed, base.committed), newSpaceKiB: kib(m.young, base.young), externalKiB: kib(m.external, base.external), nativeKiB: kib(m.rss - m.committed - m.young, base.rss - base.committed - base.young) }))
for (const s of sessions) s.destroy()
process.exit(0)
